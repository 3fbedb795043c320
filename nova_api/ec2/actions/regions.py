"""DescribeRegions, DescribeAvailabilityZones and DescribeInstanceTypes."""

from common.conf import CONF
from nova_api.ec2 import compute
from nova_api.ec2 import filters as ec2_filters


def describe_regions(call, params):
    name = CONF.ec2.region_name
    wanted = params.get('RegionNames')
    if wanted and name not in wanted:
        return {'Regions': []}
    return {'Regions': [{'RegionName': name,
                         'Endpoint': call.host or '',
                         'OptInStatus': 'opt-in-not-required'}]}


def describe_availability_zones(call, params):
    try:
        zones = call.compute.get('/os-availability-zone')[
            'availabilityZoneInfo']
    except compute.ComputeError as error:
        raise compute.ec2_error(error)
    wanted = params.get('ZoneNames')
    out = []
    for zone in zones:
        if wanted and zone['zoneName'] not in wanted:
            continue
        out.append({
            'ZoneName': zone['zoneName'],
            'ZoneId': zone['zoneName'],
            'State': 'available' if (zone.get('zoneState') or {}).get(
                'available') else 'unavailable',
            'RegionName': CONF.ec2.region_name,
            'ZoneType': 'availability-zone',
            'OptInStatus': 'opt-in-not-required',
            'GroupName': CONF.ec2.region_name,
            'Messages': []})
    return {'AvailabilityZones': out}


def _type_values(shown, name):
    return [{'instance-type': shown['InstanceType'],
             'vcpu-info.default-vcpus': str(
                 shown['VCpuInfo']['DefaultVCpus']),
             'memory-info.size-in-mib': str(
                 shown['MemoryInfo']['SizeInMiB'])}[name]]


def describe_instance_types(call, params):
    try:
        flavors = call.compute.get('/flavors/detail')['flavors']
    except compute.ComputeError as error:
        raise compute.ec2_error(error)
    wanted = params.get('InstanceTypes')
    matches = ec2_filters.matcher(
        params.get('Filters'), ('instance-type', 'vcpu-info.default-vcpus',
                                'memory-info.size-in-mib'), _type_values)
    out = []
    for flavor in flavors:
        if wanted and flavor['name'] not in wanted:
            continue
        shown = {
            'InstanceType': flavor['name'],
            'CurrentGeneration': True,
            'FreeTierEligible': False,
            'SupportedUsageClasses': ['on-demand'],
            'SupportedRootDeviceTypes': ['instance-store', 'ebs'],
            'SupportedVirtualizationTypes': ['hvm'],
            'BareMetal': False,
            'Hypervisor': 'xen',
            'ProcessorInfo': {'SupportedArchitectures': ['x86_64']},
            'VCpuInfo': {'DefaultVCpus': flavor['vcpus'],
                         'DefaultCores': flavor['vcpus'],
                         'DefaultThreadsPerCore': 1},
            'MemoryInfo': {'SizeInMiB': flavor['ram']},
            'InstanceStorageSupported': bool(flavor.get('disk')),
            'InstanceStorageInfo': {'TotalSizeInGB': flavor.get('disk')
                                    or 0},
        }
        if matches(shown):
            out.append(shown)
    return {'InstanceTypes': out}


HANDLERS = {'DescribeRegions': describe_regions,
            'DescribeAvailabilityZones': describe_availability_zones,
            'DescribeInstanceTypes': describe_instance_types}
