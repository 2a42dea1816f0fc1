; Inno Setup 6 script: a per-user Lanyard installer (no administrator rights needed).
;
;   iscc /DAppVersion=0.1.0 /DBundleDir=..\..\dist\lanyard /DIconFile=..\..\build\icons\lanyard.ico ^
;        /DOutputDir=..\..\dist packaging\windows\lanyard.iss
;
; .github/workflows/installers.yml runs it on a Windows runner after PyInstaller has built
; dist\lanyard (packaging/lanyard.spec) and packaging/render_icons.py has drawn lanyard.ico; the
; version comes from pyproject.toml. Not run on Linux CI: see the README.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\lanyard"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\icons\lanyard.ico"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
; AppId identifies the installation for upgrades and uninstall: never change it.
AppId={{6F1D2A9E-5C3B-4E7A-9B8D-2A4C6E8F0B13}
AppName=Lanyard
AppVersion={#AppVersion}
AppVerName=Lanyard {#AppVersion}
AppPublisher=The Lanyard team
VersionInfoVersion={#AppVersion}
; per user: %LOCALAPPDATA%\Programs\Lanyard, the user's Start menu and desktop, HKCU uninstall entry
PrivilegesRequired=lowest
DefaultDirName={autopf}\Lanyard
DefaultGroupName=Lanyard
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
WizardStyle=modern
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\lanyard.exe
UninstallDisplayName=Lanyard
LicenseFile=..\..\LICENSE
OutputDir={#OutputDir}
OutputBaseFilename=lanyard-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
; close a running Lanyard before replacing or removing its files
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; the whole PyInstaller folder: lanyard.exe and _internal\
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Lanyard"; Filename: "{app}\lanyard.exe"; Comment: "Sign in with Microsoft Entra ID and see your profile and app roles"
Name: "{autodesktop}\Lanyard"; Filename: "{app}\lanyard.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\lanyard.exe"; Description: "{cm:LaunchProgram,Lanyard}"; Flags: nowait postinstall skipifsilent

[Code]
// Everything Setup installed is removed by the uninstaller on its own. Lanyard's settings and saved
// sign-in (config.toml in %APPDATA%\Lanyard, the DPAPI-encrypted token cache and logs in
// %LOCALAPPDATA%\Lanyard) are the user's: ask before removing them, and keep them when silent.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
  begin
    if MsgBox('Also remove your Lanyard settings and saved sign-in?', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
    begin
      DelTree(ExpandConstant('{userappdata}\Lanyard'), True, True, True);
      DelTree(ExpandConstant('{localappdata}\Lanyard'), True, True, True);
    end;
  end;
end;
