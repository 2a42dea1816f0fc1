# libsecret's GObject bindings (the token cache in the Secret Service on Linux). PyInstaller and its
# contrib hooks have none: collect the Secret-1 typelib and what it needs, as the GLib hooks do.
# The shared library itself (libsecret-1.so.0) comes from the system: the .deb depends on
# gir1.2-secret-1, which brings it.
from PyInstaller.utils.hooks.gi import GiModuleInfo

module_info = GiModuleInfo("Secret", "1")
if module_info.available:
    binaries, datas, hiddenimports = module_info.collect_typelib_data()
