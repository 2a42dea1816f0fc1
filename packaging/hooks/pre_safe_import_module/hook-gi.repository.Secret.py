# gi.repository.Secret exists only at run time (GObject introspection): declare it, as PyInstaller
# does for the gi modules it knows, so the hook beside this folder collects its typelib.
def pre_safe_import_module(api):
    api.add_runtime_module(api.module_name)
