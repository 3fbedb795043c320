"""Loading filter and weigher classes from dotted paths."""

import pytest

from nova_scheduler import filters
from nova_scheduler.filters import ram_filter
from nova_scheduler import loader


class ExampleFilter(filters.BaseHostFilter):
    def host_passes(self, host_state, spec):
        return True


def example_filters():
    return [ExampleFilter, ram_filter.RamFilter]


def test_loads_a_class_path():
    path = 'nova_scheduler.filters.ram_filter.RamFilter'
    assert loader.load_classes([path]) == [ram_filter.RamFilter]


def test_loads_a_function_returning_classes_and_drops_duplicates():
    classes = loader.load_classes([
        'nova_scheduler.filters.all_filters',
        'tests.unit.nova_scheduler.test_loader.example_filters'])
    assert classes[-1] is ExampleFilter
    assert classes.count(ram_filter.RamFilter) == 1


@pytest.mark.parametrize('path', ['nowhere.Filter', 'RamFilter',
                                  'nova_scheduler.filters.NoSuchFilter',
                                  'nova_scheduler.filter_scheduler'
                                  '.IGNORE_HOSTS_STEP'])
def test_bad_paths_raise_import_error(path):
    with pytest.raises(ImportError):
        loader.load_classes([path])


def test_classes_in_package_skips_imported_names():
    found = loader.classes_in_package(filters, filters.BaseHostFilter)
    assert all(cls.__module__.startswith('nova_scheduler.filters.')
               for cls in found)
    assert len(found) == len(set(found))
