"""SQLAlchemy models of every table; migrations/ creates them."""

import datetime

from sqlalchemy import (BigInteger, Boolean, DateTime, Float, ForeignKey,
                        Index, Integer, String, Text, UniqueConstraint,
                        false)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow)


class Service(TimestampMixin, Base):
    __tablename__ = 'services'
    __table_args__ = (UniqueConstraint('host', 'binary',
                                       name='uniq_services0host0binary'),
                      Index('services_last_seen_up_idx', 'last_seen_up'),
                      Index('services_updated_at_idx', 'updated_at'),
                      Index('services_forced_down_idx', 'forced_down'))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str | None] = mapped_column(String(255))
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    forced_down: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the last heartbeat arrived; updated_at also moves on admin edits.
    last_seen_up: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    # common/service_version.SERVICE_VERSION of the daemon at its last
    # registration; None: older than the column (nova-status reads it).
    version: Mapped[int | None] = mapped_column(Integer)


class ComputeNode(TimestampMixin, Base):
    __tablename__ = 'compute_nodes'
    __table_args__ = (
        UniqueConstraint('host', 'hypervisor_hostname',
                         name='uniq_compute_nodes0host0hypervisor_hostname'),
        Index('compute_nodes_updated_at_idx', 'updated_at'),
        Index('compute_nodes_service_id_idx', 'service_id'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey('services.id', ondelete='SET NULL'))
    host: Mapped[str] = mapped_column(String(255))
    hypervisor_hostname: Mapped[str] = mapped_column(String(255))
    hypervisor_type: Mapped[str] = mapped_column(String(255), default='')
    hypervisor_version: Mapped[int] = mapped_column(Integer, default=0)
    cpu_info: Mapped[str] = mapped_column(Text, default='{}')
    host_ip: Mapped[str | None] = mapped_column(String(64))
    vcpus: Mapped[int] = mapped_column(Integer, default=0)
    vcpus_reserved: Mapped[int] = mapped_column(Integer, default=0)
    vcpus_used: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb_reserved: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb_used: Mapped[int] = mapped_column(Integer, default=0)
    local_gb: Mapped[int] = mapped_column(Integer, default=0)
    local_gb_reserved: Mapped[int] = mapped_column(Integer, default=0)
    local_gb_used: Mapped[int] = mapped_column(Integer, default=0)
    running_vms: Mapped[int] = mapped_column(Integer, default=0)
    # Builds that failed here since the last success (BuildFailureWeigher).
    failed_builds: Mapped[int] = mapped_column(Integer, default=0)
    cpu_allocation_ratio: Mapped[float] = mapped_column(Float, default=16.0)
    ram_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.5)
    disk_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.0)


class Allocation(Base):
    """What one instance holds on one compute node; freed exactly once."""

    __tablename__ = 'allocations'

    instance_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    compute_node_id: Mapped[int] = mapped_column(
        ForeignKey('compute_nodes.id', ondelete='CASCADE'), index=True)
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    disk_gb: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)


class Flavor(TimestampMixin, Base):
    __tablename__ = 'flavors'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flavorid: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer, default=0)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    rxtx_factor: Mapped[float] = mapped_column(Float, default=1.0)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)


class FlavorExtraSpec(Base):
    __tablename__ = 'flavor_extra_specs'
    __table_args__ = (UniqueConstraint('flavor_id', 'key',
                                       name='uniq_flavor_extra_specs0key'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flavor_id: Mapped[int] = mapped_column(
        ForeignKey('flavors.id', ondelete='CASCADE'), index=True)
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))


class Image(TimestampMixin, Base):
    """The local image registry (a Glance stand-in)."""

    __tablename__ = 'images'

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(30), default='queued')
    disk_format: Mapped[str | None] = mapped_column(String(30))
    container_format: Mapped[str | None] = mapped_column(String(30))
    size: Mapped[int | None] = mapped_column(BigInteger)
    virtual_size: Mapped[int | None] = mapped_column(BigInteger)
    min_disk: Mapped[int] = mapped_column(Integer, default=0)
    min_ram: Mapped[int] = mapped_column(Integer, default=0)
    checksum: Mapped[str | None] = mapped_column(String(64))
    os_hash_algo: Mapped[str | None] = mapped_column(String(64))
    os_hash_value: Mapped[str | None] = mapped_column(String(128))
    owner: Mapped[str | None] = mapped_column(String(255))
    visibility: Mapped[str] = mapped_column(String(20), default='public')
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    location: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[str] = mapped_column(Text, default='{}')
    tags: Mapped[str] = mapped_column(Text, default='[]',
                                      server_default='[]')


class Instance(TimestampMixin, Base):
    __tablename__ = 'instances'
    __table_args__ = (
        Index('instances_project_id_deleted_idx', 'project_id', 'deleted'),
        Index('instances_host_deleted_idx', 'host', 'deleted'),
        Index('instances_task_state_updated_at_idx', 'task_state',
              'updated_at'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    hostname: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))
    image_ref: Mapped[str | None] = mapped_column(String(255))
    flavor: Mapped[str] = mapped_column(Text)  # JSON snapshot at boot
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    vm_state: Mapped[str] = mapped_column(String(255))
    task_state: Mapped[str | None] = mapped_column(String(255))
    power_state: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str | None] = mapped_column(String(255))
    node: Mapped[str | None] = mapped_column(String(255))
    compute_node_id: Mapped[int | None] = mapped_column(Integer)
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    key_name: Mapped[str | None] = mapped_column(String(255))
    # The key pair as it was at boot: what the metadata service and the
    # config drive give the guest, even once the key pair is deleted.
    key_data: Mapped[str | None] = mapped_column(Text)
    key_type: Mapped[str | None] = mapped_column(String(20))
    user_data: Mapped[str | None] = mapped_column(Text)
    # True once the compute built the server a config drive (asked at
    # create, or [DEFAULT] force_config_drive on its host).
    config_drive: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false())
    # The (encrypted) password the guest posted to the metadata service.
    password: Mapped[str | None] = mapped_column(Text)
    metadata_json: Mapped[str] = mapped_column('metadata', Text,
                                               default='{}')
    # What the system keeps of the instance (Nova's system_metadata): a
    # shelved server's shelved_image_id, shelved_host and shelved_at.
    system_metadata: Mapped[str] = mapped_column(
        Text, default='{}', server_default='{}')
    request_spec: Mapped[str] = mapped_column(Text, default='{}')
    reservation_id: Mapped[str | None] = mapped_column(String(255))
    launch_index: Mapped[int] = mapped_column(Integer, default=0)
    access_ip_v4: Mapped[str | None] = mapped_column(String(64))
    access_ip_v6: Mapped[str | None] = mapped_column(String(64))
    display_description: Mapped[str | None] = mapped_column(Text)
    # OS-DCF:diskConfig: True is AUTO (the guest may grow its root
    # filesystem to the disk), False MANUAL.
    auto_disk_config: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false())
    flavorid: Mapped[str | None] = mapped_column(String(255))
    # 'owner' or 'admin' while locked: an admin's lock binds the owner too.
    locked_by: Mapped[str | None] = mapped_column(String(255))
    locked_reason: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text, default='[]')
    launched_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    terminated_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # While in scheduling: the conductor worker running the build (see
    # ConductorWorker), and how often another took it over or a compute
    # restart re-ran it ([conductor] max_build_resumes).
    build_owner: Mapped[int | None] = mapped_column(Integer)
    build_resumes: Mapped[int] = mapped_column(Integer, default=0,
                                               server_default='0')


class ConductorWorker(Base):
    """A running conductor worker process: builds it owns are resumed by
    another once its heartbeat stops (or, on its own host, its process)."""

    __tablename__ = 'conductor_workers'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime.datetime] = mapped_column(DateTime)


class InstanceFault(Base):
    __tablename__ = 'instance_faults'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(String(36), index=True)
    code: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(255))
    details: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)


class InstanceAction(TimestampMixin, Base):
    __tablename__ = 'instance_actions'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(255))
    instance_uuid: Mapped[str] = mapped_column(String(36), index=True)
    request_id: Mapped[str | None] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255))
    start_time: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)
    finish_time: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    message: Mapped[str | None] = mapped_column(String(255))


class InstanceActionEvent(TimestampMixin, Base):
    __tablename__ = 'instance_actions_events'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey('instance_actions.id', ondelete='CASCADE'), index=True)
    event: Mapped[str] = mapped_column(String(255))
    result: Mapped[str | None] = mapped_column(String(255))
    traceback: Mapped[str | None] = mapped_column(Text)
    start_time: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)
    finish_time: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    host: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[str | None] = mapped_column(Text)


class FixedIp(Base):
    """An address of the flat network held by one instance."""

    __tablename__ = 'fixed_ips'
    __table_args__ = (UniqueConstraint('network', 'address',
                                       name='uniq_fixed_ips0network0address'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network: Mapped[str] = mapped_column(String(255))
    address: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(32))
    instance_uuid: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)


class BlockDeviceMapping(TimestampMixin, Base):
    """One disk of an instance: where it comes from (source_type, uuid)
    and where it lives (destination_type: local file or Cinder volume).

    A volume's progress is kept here step by step (status, volume_id,
    attachment_id, connection_info), so a build or an attach interrupted
    half way is finished or undone from what was recorded, never
    forgotten with a volume left reserved.
    """

    __tablename__ = 'block_device_mappings'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(String(36), index=True)
    source_type: Mapped[str] = mapped_column(String(32))
    destination_type: Mapped[str] = mapped_column(String(32))
    # The image or snapshot a volume is made from (or the image of a
    # local root disk); None for blank and volume sources.
    uuid: Mapped[str | None] = mapped_column(String(255))
    volume_id: Mapped[str | None] = mapped_column(String(36), index=True)
    volume_size: Mapped[int | None] = mapped_column(Integer)
    volume_type: Mapped[str | None] = mapped_column(String(255))
    boot_index: Mapped[int | None] = mapped_column(Integer)
    device_name: Mapped[str | None] = mapped_column(String(255))
    disk_bus: Mapped[str | None] = mapped_column(String(32))
    device_type: Mapped[str | None] = mapped_column(String(32))
    guest_format: Mapped[str | None] = mapped_column(String(255))
    delete_on_termination: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false())
    tag: Mapped[str | None] = mapped_column(String(60))
    attachment_id: Mapped[str | None] = mapped_column(String(36))
    connection_info: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default='new')


class Aggregate(TimestampMixin, Base):
    """An admin's group of hosts with metadata; 'availability_zone' makes an AZ."""

    __tablename__ = 'aggregates'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)


class AggregateHost(Base):
    __tablename__ = 'aggregate_hosts'
    __table_args__ = (UniqueConstraint('aggregate_id', 'host',
                                       name='uniq_aggregate_hosts0host'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(
        ForeignKey('aggregates.id', ondelete='CASCADE'), index=True)
    host: Mapped[str] = mapped_column(String(255), index=True)


class AggregateMetadata(Base):
    __tablename__ = 'aggregate_metadata'
    __table_args__ = (UniqueConstraint('aggregate_id', 'key',
                                       name='uniq_aggregate_metadata0key'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(
        ForeignKey('aggregates.id', ondelete='CASCADE'), index=True)
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))


class InstanceGroup(TimestampMixin, Base):
    """A server group: members placed by an (anti-)affinity policy."""

    __tablename__ = 'instance_groups'

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    policy: Mapped[str] = mapped_column(String(255))
    rules: Mapped[str] = mapped_column(Text, default='{}')


class InstanceGroupMember(Base):
    __tablename__ = 'instance_group_member'
    __table_args__ = (UniqueConstraint('instance_uuid',
                                       name='uniq_instance_group_member0'
                                            'instance_uuid'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey('instance_groups.id', ondelete='CASCADE'), index=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)


class Quota(Base):
    """A project's limit for one resource, overriding [quota] defaults."""

    __tablename__ = 'quotas'
    __table_args__ = (UniqueConstraint('project_id', 'resource',
                                       name='uniq_quotas0project_id0'
                                            'resource'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(String(255))
    hard_limit: Mapped[int] = mapped_column(Integer)


class QuotaClass(Base):
    """A quota class's limit for one resource. The class 'default' holds
    the defaults of every project (over the [quota] options)."""

    __tablename__ = 'quota_classes'
    __table_args__ = (UniqueConstraint('class_name', 'resource',
                                       name='uniq_quota_classes0class_name0'
                                            'resource'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_name: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(String(255))
    hard_limit: Mapped[int] = mapped_column(Integer)


class QuotaLock(Base):
    """One row per project, locked while its usage is checked and changed,
    so concurrent creates cannot both squeeze under a limit."""

    __tablename__ = 'quota_locks'

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)


class KeyPair(Base):
    """A user's SSH public key, injected into servers booted with it."""

    __tablename__ = 'key_pairs'
    __table_args__ = (UniqueConstraint('user_id', 'name',
                                       name='uniq_key_pairs0user_id0name'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(255))
    public_key: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(10), default='ssh')
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)


class FlavorProject(Base):
    """A project allowed to use a private flavor."""

    __tablename__ = 'flavor_projects'
    __table_args__ = (UniqueConstraint('flavor_id', 'project_id',
                                       name='uniq_flavor_projects0flavor_id0'
                                            'project_id'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flavor_id: Mapped[int] = mapped_column(
        ForeignKey('flavors.id', ondelete='CASCADE'), index=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)


class AggregateImageCache(Base):
    """An image an admin asked the hosts of an aggregate to pre-cache."""

    __tablename__ = 'aggregate_image_cache'
    __table_args__ = (UniqueConstraint('aggregate_id', 'image_id',
                                       name='uniq_aggregate_image_cache0'
                                            'aggregate_id0image_id'),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(
        ForeignKey('aggregates.id', ondelete='CASCADE'), index=True)
    image_id: Mapped[str] = mapped_column(String(36))
    requested_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)


class Migration(TimestampMixin, Base):
    """A move of an instance between hosts (resize, cold or live migration,
    evacuation), as /os-migrations lists it. Whoever moves an instance
    records it here (db/instance_migrations.py): the row starts with the
    source, the flavors and a status, and gains its destination as the
    move goes.
    """

    __tablename__ = 'migrations'
    __table_args__ = (
        UniqueConstraint('uuid', name='uniq_migrations0uuid'),
        Index('migrations_instance_uuid_idx', 'instance_uuid'),
        Index('migrations_created_at_idx', 'created_at'),
        Index('migrations_status_updated_at_idx', 'status', 'updated_at'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36))
    instance_uuid: Mapped[str | None] = mapped_column(String(36))
    # 'migration', 'resize', 'live-migration' or 'evacuation'.
    migration_type: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(255))
    source_compute: Mapped[str | None] = mapped_column(String(255))
    source_node: Mapped[str | None] = mapped_column(String(255))
    dest_compute: Mapped[str | None] = mapped_column(String(255))
    dest_node: Mapped[str | None] = mapped_column(String(255))
    dest_host: Mapped[str | None] = mapped_column(String(255))
    # flavors.id (the Integer key) before and after the move.
    old_instance_type_id: Mapped[int | None] = mapped_column(Integer)
    new_instance_type_id: Mapped[int | None] = mapped_column(Integer)
    # Not listed (Nova hides the internal half of a cross-cell move).
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255))
    # JSON snapshots of the flavors (0015): a revert restores the old one
    # even if it was deleted since.
    old_flavor: Mapped[str | None] = mapped_column(Text)
    new_flavor: Mapped[str | None] = mapped_column(Text)
    # What a revert returns the instance to (active or stopped).
    old_vm_state: Mapped[str | None] = mapped_column(String(255))
    dest_compute_node_id: Mapped[int | None] = mapped_column(Integer)
    # A live migration's progress, in bytes.
    memory_total: Mapped[int | None] = mapped_column(BigInteger)
    memory_processed: Mapped[int | None] = mapped_column(BigInteger)
    memory_remaining: Mapped[int | None] = mapped_column(BigInteger)
    disk_total: Mapped[int | None] = mapped_column(BigInteger)
    disk_processed: Mapped[int | None] = mapped_column(BigInteger)
    disk_remaining: Mapped[int | None] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)


class ConsoleAuthToken(Base):
    """A remote console's one-time token (db/console_tokens.py): only its
    sha256 is kept, with where the console is and when the token
    expires (seconds since the epoch). A proxy's connect deletes it."""

    __tablename__ = 'console_auth_tokens'
    __table_args__ = (
        UniqueConstraint('token_hash',
                         name='uniq_console_auth_tokens0token_hash'),
        Index('console_auth_tokens_instance_uuid_idx', 'instance_uuid'),
        Index('console_auth_tokens_expires_idx', 'expires'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    # 'novnc', 'serial' (Nova's console types).
    console_type: Mapped[str] = mapped_column(String(32))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    internal_access_path: Mapped[str | None] = mapped_column(String(255))
    instance_uuid: Mapped[str] = mapped_column(String(36))
    access_url_base: Mapped[str | None] = mapped_column(String(255))
    expires: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)


class EC2Credential(Base):
    """An access key of the EC2 API without Keystone (noauth): the key, its
    secret (SigV4 needs it to sign again) and whose it is. With Keystone
    the keys are Keystone's EC2 credentials instead."""

    __tablename__ = 'ec2_credentials'
    __table_args__ = (
        UniqueConstraint('access', name='uniq_ec2_credentials0access'),
        Index('ec2_credentials_project_id_idx', 'project_id'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access: Mapped[str] = mapped_column(String(64))
    secret: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)


class EC2ClientToken(Base):
    """A RunInstances ClientToken of a project: the launch it made, so the
    same request sent again returns it rather than launching twice.
    `request_hash` tells a repeat from a different request reusing the
    token; `reservation_id` is empty while the first launch runs."""

    __tablename__ = 'ec2_client_tokens'
    __table_args__ = (
        UniqueConstraint('project_id', 'client_token',
                         name='uniq_ec2_client_tokens0project_id0token'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    client_token: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    reservation_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow)
