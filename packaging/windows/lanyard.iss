; Inno Setup 6 script: a per-user Lanyard installer (no administrator rights needed).
;
;   iscc /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 /DBundleDir=..\..\dist\lanyard ^
;        /DIconFile=..\..\build\icons\lanyard.ico /DOutputDir=..\..\dist packaging\windows\lanyard.iss
;
; AppVersionNumeric is the a.b.c.d a Windows version resource takes (packaging/windows/
; numeric_version.py derives it; "0.2.0rc1" itself would fail VersionInfoVersion). With
; /DSignTool=<name> and a sign tool of that name defined (iscc "/S<name>=signtool sign ... $f"),
; lanyard.exe, lanyard-cli.exe, the uninstaller and Setup itself are signed as they are compiled.
;
; .github/workflows/installers.yml runs it on a Windows runner after PyInstaller has built
; dist\lanyard (packaging/lanyard.spec) and packaging/render_icons.py has drawn lanyard.ico; the
; version comes from pyproject.toml. Not run on Linux CI: see the README.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z
#endif
#ifndef AppVersionNumeric
  #error Pass the numeric version: iscc /DAppVersionNumeric=A.B.C.D (packaging/windows/numeric_version.py)
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
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductTextVersion={#AppVersion}
; what Qt 6.11 (the Qt the package extra pins) supports: Windows 10 1809 (build 17763) or later
MinVersion=10.0.17763
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
; the install folder goes on the user's PATH (for lanyard-cli): tell running programs
ChangesEnvironment=yes
#ifdef SignTool
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; the whole PyInstaller folder: lanyard.exe (the window), lanyard-cli.exe (the same program with a
; console, for `lanyard-cli whoami` / `token` / `--version`) and _internal\; the two programs are
; signed when a sign tool is given (the "sign" flag needs SignTool)
#ifdef SignTool
  #define SignFlag " sign"
#else
  #define SignFlag ""
#endif
Source: "{#BundleDir}\lanyard.exe"; DestDir: "{app}"; Flags: ignoreversion{#SignFlag}
Source: "{#BundleDir}\lanyard-cli.exe"; DestDir: "{app}"; Flags: ignoreversion{#SignFlag}
Source: "{#BundleDir}\*"; Excludes: "lanyard.exe,lanyard-cli.exe"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Lanyard"; Filename: "{app}\lanyard.exe"; Comment: "Sign in with Microsoft Entra ID and see your profile and app roles"
Name: "{autodesktop}\Lanyard"; Filename: "{app}\lanyard.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\lanyard.exe"; Description: "{cm:LaunchProgram,Lanyard}"; Flags: nowait postinstall skipifsilent

[Code]
// {app} on the user's own PATH (HKCU\Environment, no administrator rights), once, so a terminal
// finds lanyard-cli.exe; taken off again by the uninstaller, leaving every other entry as it was.
const
  EnvironmentKey = 'Environment';

function PathWithout(Paths, Dir: string): string;
var
  Rest, Part: string;
  P: Integer;
begin
  Result := '';
  Rest := Paths;
  while Rest <> '' do
  begin
    P := Pos(';', Rest);
    if P = 0 then
    begin
      Part := Rest;
      Rest := '';
    end
    else
    begin
      Part := Copy(Rest, 1, P - 1);
      Rest := Copy(Rest, P + 1, Length(Rest));
    end;
    if (Part <> '') and (CompareText(RemoveBackslashUnlessRoot(Part), RemoveBackslashUnlessRoot(Dir)) <> 0) then
    begin
      if Result <> '' then
        Result := Result + ';';
      Result := Result + Part;
    end;
  end;
end;

procedure SetUserPath(Paths: string);
begin
  if not RegWriteExpandStringValue(HKEY_CURRENT_USER, EnvironmentKey, 'Path', Paths) then
    Log('Could not write the user PATH');
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Paths: string;
begin
  if CurStep = ssPostInstall then
  begin
    if not RegQueryStringValue(HKEY_CURRENT_USER, EnvironmentKey, 'Path', Paths) then
      Paths := '';
    Paths := PathWithout(Paths, ExpandConstant('{app}'));
    if Paths <> '' then
      Paths := Paths + ';';
    SetUserPath(Paths + ExpandConstant('{app}'));
  end;
end;

// Everything Setup installed is removed by the uninstaller on its own. Lanyard's settings and saved
// sign-in (config.toml in %APPDATA%\Lanyard, the DPAPI-encrypted token cache and logs in
// %LOCALAPPDATA%\Lanyard) are the user's: ask before removing them, and keep them when silent.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Paths: string;
begin
  if (CurUninstallStep = usUninstall) and RegQueryStringValue(HKEY_CURRENT_USER, EnvironmentKey, 'Path', Paths) then
    SetUserPath(PathWithout(Paths, ExpandConstant('{app}')));
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
  begin
    if MsgBox('Also remove your Lanyard settings and saved sign-in?', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
    begin
      DelTree(ExpandConstant('{userappdata}\Lanyard'), True, True, True);
      DelTree(ExpandConstant('{localappdata}\Lanyard'), True, True, True);
    end;
  end;
end;
