"""Turns dotted paths from config into filter and weigher classes."""

import importlib
import inspect
import pkgutil


def import_object(path):
    """The object a dotted path 'package.module.Name' names."""
    module_name, sep, attr = path.rpartition('.')
    if not sep:
        raise ImportError('%r is not a dotted path to a class or function'
                          % path)
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ImportError('module %s has no attribute %s'
                          % (module_name, attr)) from None


def load_classes(paths):
    """Classes named by `paths`: each a class, or a function returning a
    list of classes. Order is kept and duplicates are dropped, so a config
    naming a class that all_filters() already returns does no harm."""
    classes = []
    for path in paths:
        obj = import_object(path)
        if inspect.isclass(obj):
            found = [obj]
        elif callable(obj):
            found = list(obj())
        else:
            raise ImportError('%s is neither a class nor a function '
                              'returning classes' % path)
        for cls in found:
            if cls not in classes:
                classes.append(cls)
    return classes


def classes_in_package(package, base):
    """Every subclass of `base` defined in a public module of `package`.

    Used by all_filters() / all_weighers() so that adding a filter is
    adding a file, with no list to keep in step.
    """
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__),
                       key=lambda i: i.name):
        if info.name.startswith('_'):
            continue
        module = importlib.import_module('%s.%s' % (package.__name__,
                                                    info.name))
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if (issubclass(obj, base) and obj is not base
                    and obj.__module__ == module.__name__
                    and not obj.__name__.startswith('_')):
                found.append(obj)
    return found
