# build.ps1 — builds, boots, tests and measures the kernel.
#
#   dotnet tool restore && dotnet pwsh build.ps1 [task] [options]
#
# Tasks: build (default: kernel ELF), iso (bootable hybrid BIOS+UEFI ISO), run (boot the ISO in
# QEMU with the serial console on this terminal, a scratch disk as /dev/vda unless -NoDisk, more
# with -Disk PATH[:ide|:virtio]), test (every test; ends with 'N passed, N failed'), torture (the
# long kill-storm run, not part of test), bench (figures, not pass/fail: boot time, this kernel
# against the Linux peer for memhog and the disks, host benchmarks), clean. Every task installs what
# it is missing first.
#
# The chain: dotnet build (freestanding assemblies against Kernel.CoreLib) -> ILC (NativeAOT,
# --nativelib, x86-64 baseline) -> NASM (boot stub, interrupt stubs, arch helpers) -> GNU ld
# (linked twice: the second link embeds the symbol table the panic screen uses) -> grub-mkrescue.
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'iso', 'run', 'test', 'torture', 'bench', 'clean')]
    [string]$Task = 'build',
    [switch]$Vga,            # run: show the VGA window (PS/2 keyboard input) besides serial
    [switch]$Uefi,           # run: boot through OVMF instead of the BIOS
    [int]$MemoryMiB = 512,   # run: guest RAM
    [string]$Filter,         # test: passed to dotnet test --filter
    [switch]$BootOnly,       # bench: only the boot-time figures
    [switch]$FsOnly,         # bench: only the file system figures (bench fs against the peer)
    [switch]$ReclaimOnly,    # bench: only the reclaim figures (bench reclaim against the peer)
    [switch]$NoDisk,         # run: without the scratch disk artifacts/disk.img
    # run: -Disk PATH[:ide|:virtio] (repeatable; virtio when no bus is named) attaches more disks
    [Parameter(ValueFromRemainingArguments = $true)] [string[]]$Rest = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# -Disk may be given several times, which a declared parameter cannot be: read it from the rest.
$DiskSpecs = @()
for ($i = 0; $i -lt $Rest.Count; $i++) {
    if ($Rest[$i] -ieq '-Disk' -and $i + 1 -lt $Rest.Count) {
        foreach ($spec in "$($Rest[$i + 1])".Split(',')) {
            $bus = 'virtio'; $path = $spec
            if ($spec -match '^(.*):(ide|virtio)$') { $path = $Matches[1]; $bus = $Matches[2] }
            $DiskSpecs += , @($path, $bus)
        }
        $i++
    } else {
        throw "unknown argument '$($Rest[$i])' (disks: -Disk PATH[:ide|:virtio])"
    }
}
$Root = $PSScriptRoot
$Artifacts = Join-Path $Root 'artifacts'
$Obj = Join-Path $Artifacts 'obj'
$Elf = Join-Path $Artifacts 'kernel.elf'
$Iso = Join-Path $Root 'iso/kernel.iso'
$Ovmf = '/usr/share/ovmf/OVMF.fd'

function Write-Step([string]$name, [double]$seconds) {
    Write-Host ('build: {0,-34} {1,6:0.00} s' -f $name, $seconds)
}

function Invoke-Step([string]$name, [scriptblock]$body) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & $body
    Write-Step $name $sw.Elapsed.TotalSeconds
}

# Runs a native command; stops the build with its output when it fails.
function Invoke-Native([string]$exe, [string[]]$arguments) {
    $output = & $exe @arguments 2>&1
    if ($LASTEXITCODE -ne 0) {
        $output | ForEach-Object { Write-Host $_ }
        throw "$exe failed with exit code $LASTEXITCODE"
    }
    return $output
}

# Debian packages the kernel build and tests need, by the file that proves each is installed.
$Packages = [ordered]@{
    'nasm'             = '/usr/bin/nasm'
    'qemu-system-x86'  = '/usr/bin/qemu-system-x86_64'
    'grub-pc-bin'      = '/usr/lib/grub/i386-pc/multiboot2.mod'
    'grub-efi-amd64-bin' = '/usr/lib/grub/x86_64-efi/multiboot2.mod'
    'grub-common'      = '/usr/bin/grub-mkrescue'
    'xorriso'          = '/usr/bin/xorriso'
    'mtools'           = '/usr/bin/mformat'
    'ovmf'             = $Ovmf
    'binutils'         = '/usr/bin/ld'
}

function Install-Prerequisites {
    $missing = @($Packages.Keys | Where-Object { -not (Test-Path $Packages[$_]) })
    if ($missing.Count -eq 0) { return }
    $list = $missing -join ' '
    if ((& id -u) -ne '0') {
        Write-Host "build: missing Debian packages: $list"
        Write-Host "build: install them with:"
        Write-Host "  sudo apt-get update && sudo apt-get install -y $list"
        throw 'missing packages'
    }
    Invoke-Step "apt-get install $list" {
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native 'apt-get' @('update', '-q') | Out-Null
        Invoke-Native 'apt-get' (@('install', '-y', '-q') + $missing) | Out-Null
    }
}

# The ILC the SDK chooses: restore a NativeAOT stub project and read the package path from it.
function Get-Ilc {
    $project = Join-Path $Root 'tools/IlcLocator/IlcLocator.csproj'
    $assets = Join-Path $Root 'tools/IlcLocator/obj/project.assets.json'
    if (-not (Test-Path $assets)) {
        Invoke-Step 'restore ILCompiler' { Invoke-Native 'dotnet' @('restore', $project, '-v', 'q') | Out-Null }
    }
    $json = Get-Content $assets -Raw | ConvertFrom-Json
    $key = $json.libraries.PSObject.Properties.Name |
        Where-Object { $_ -like 'runtime.linux-x64.Microsoft.DotNet.ILCompiler/*' } | Select-Object -First 1
    if (-not $key) { throw 'ILCompiler package not found in the restore output' }
    $folder = $json.packageFolders.PSObject.Properties.Name | Select-Object -First 1
    $ilc = Join-Path $folder ($json.libraries.$key.path) 'tools/ilc'
    if (-not (Test-Path $ilc)) { throw "ilc not found at $ilc" }
    return $ilc
}

# C# names for the panic screen's backtraces: ILC names a method
# <assembly>_<namespace>_<type>[_<nested>...]__<method>[_N] with every character outside
# [A-Za-z0-9_] made '_', generic arguments in <...> and _N on overloads. The compiled assemblies'
# metadata gives each mangled type its C# name and methods, so Kernel_Kernel_Commands_Builtins__PanicTest
# becomes Kernel.Commands.Builtins.PanicTest. Anything else (asm labels, runtime exports, ILC's
# own helpers such as __DelegateCtor_...) keeps its name.
$script:Unsafe = [regex]::new('[^A-Za-z0-9_]', 'Compiled')

function New-ManagedNameTable([string[]]$assemblies) {
    $names = [Collections.Generic.Dictionary[string, string]]::new()     # mangled type -> C# name
    $members = [Collections.Generic.Dictionary[string, object]]::new()   # mangled type -> its methods
    foreach ($path in $assemblies) {
        $stream = [IO.File]::OpenRead($path)
        try {
            $pe = [Reflection.PortableExecutable.PEReader]::new($stream)
            $md = [Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $asm = $script:Unsafe.Replace($md.GetString($md.GetAssemblyDefinition().Name), '_')
            foreach ($h in $md.TypeDefinitions) {
                $t = $md.GetTypeDefinition($h)
                $chain = [Collections.Generic.List[string]]::new()
                $cur = $t
                while ($true) {
                    $chain.Insert(0, $md.GetString($cur.Name))
                    $decl = $cur.GetDeclaringType()
                    if ($decl.IsNil) { break }
                    $cur = $md.GetTypeDefinition($decl)
                }
                $ns = $md.GetString($cur.Namespace)
                $mangled = [string[]]::new($chain.Count); $cs = [string[]]::new($chain.Count)
                for ($k = 0; $k -lt $chain.Count; $k++) {
                    $mangled[$k] = $script:Unsafe.Replace($chain[$k], '_')
                    $cs[$k] = $chain[$k] -replace '`\d+$', ''
                }
                $key = $asm + '_' + $(if ($ns) { $script:Unsafe.Replace($ns, '_') + '_' } else { '' }) + ($mangled -join '_')
                $methods = [Collections.Generic.Dictionary[string, string]]::new()
                foreach ($mh in $t.GetMethods()) {
                    $name = $md.GetString($md.GetMethodDefinition($mh).Name)
                    $methods[$script:Unsafe.Replace($name, '_')] = $name
                }
                $names[$key] = $(if ($ns) { $ns + '.' } else { '' }) + ($cs -join '.')
                $members[$key] = $methods
            }
        } finally { $stream.Dispose() }
    }
    return @{ Names = $names; Methods = $members }
}

function Convert-TypeArguments($types, [string]$group) {
    $parts = $group.Split(',')
    for ($k = 0; $k -lt $parts.Count; $k++) {
        $a = $parts[$k].Trim()
        if ($a -eq 'System___Canon') { $parts[$k] = '__Canon' }
        elseif ($types.Names.ContainsKey($a)) { $parts[$k] = $types.Names[$a] }
        else { $parts[$k] = $a }
    }
    return '<' + ($parts -join ',') + '>'
}

function Convert-Symbol($types, [string]$symbol) {
    if ($symbol.StartsWith('__') -or $symbol.IndexOf('__') -lt 0) { return $symbol }
    # The text outside <...> (each group leaves a \u0001 mark) and the groups.
    $groups = [Collections.Generic.List[string]]::new()
    $text = $symbol
    if ($symbol.IndexOf('<') -ge 0) {
        $plain = [Text.StringBuilder]::new()
        $depth = 0; $start = 0
        for ($i = 0; $i -lt $symbol.Length; $i++) {
            $c = $symbol[$i]
            if ($c -eq '<') { if ($depth -eq 0) { $start = $i + 1; [void]$plain.Append([char]1) }; $depth++ }
            elseif ($c -eq '>' -and $depth -gt 0) { $depth--; if ($depth -eq 0) { $groups.Add($symbol.Substring($start, $i - $start)) } }
            elseif ($depth -eq 0) { [void]$plain.Append($c) }
        }
        $text = $plain.ToString()
    }
    $mark = [string][char]1
    # The split into type and method: the first where the method is one of the type's, else the
    # first where the type is known (Builtins___c___All_b__0_0 is <>c.<All>b__0_0, not Builtins._c...).
    $found = $null
    $i = $text.IndexOf('__')
    while ($i -gt 0) {
        $key = $text.Substring(0, $i).Replace($mark, '')
        if ($types.Names.ContainsKey($key)) {
            $methods = $types.Methods[$key]
            $method = $text.Substring($i + 2).Replace($mark, '')
            $name = $null
            if ($methods.ContainsKey($method)) { $name = $methods[$method] }
            elseif ($method -match '^(.+)_\d+$' -and $methods.ContainsKey($Matches[1])) { $name = $methods[$Matches[1]] }
            if ($name) { $found = @($i, $key, $name); break }
            if (-not $found) { $found = @($i, $key, $method) }
        }
        $i = $text.IndexOf('__', $i + 1)
    }
    if (-not $found) { return $symbol }
    $typeName = $types.Names[$found[1]]
    $g = 0
    if ($text.Substring(0, $found[0]).Contains($mark) -and $groups.Count -gt 0) { $typeName += Convert-TypeArguments $types $groups[0]; $g = 1 }
    $methodName = $found[2]
    if ($g -lt $groups.Count) { $methodName += Convert-TypeArguments $types $groups[$g] }
    return $typeName + '.' + $methodName
}

# Text symbols of the linked kernel as the panic screen's table, by their C# names where ILC
# compiled them from the assemblies (Convert-Symbol):
#   u32 count, u32 reserved, then count x {u64 address, u32 name offset, u32 name length},
#   then the names (ASCII). Sorted by address (nm -n).
function Write-SymbolTable([string]$elf, [string]$out, [string[]]$assemblies) {
    $types = New-ManagedNameTable $assemblies
    $lines = Invoke-Native 'nm' @('-n', '--defined-only', $elf)
    $syms = [Collections.Generic.List[object]]::new()
    foreach ($line in $lines) {
        $parts = "$line".Split(' ', 3)
        if ($parts.Count -ne 3 -or ($parts[1] -ne 't' -and $parts[1] -ne 'T')) { continue }
        $syms.Add(@([Convert]::ToUInt64($parts[0], 16), (Convert-Symbol $types $parts[2])))
    }
    $names = [IO.MemoryStream]::new()
    $table = [IO.MemoryStream]::new()
    $w = [IO.BinaryWriter]::new($table)
    $w.Write([uint32]$syms.Count); $w.Write([uint32]0)
    foreach ($s in $syms) {
        $bytes = [Text.Encoding]::ASCII.GetBytes($s[1])
        $w.Write([uint64]$s[0]); $w.Write([uint32]$names.Length); $w.Write([uint32]$bytes.Length)
        $names.Write($bytes, 0, $bytes.Length)
    }
    $names.WriteTo($table)
    [IO.File]::WriteAllBytes($out, $table.ToArray())
    return $syms.Count
}

function Build-Kernel {
    Install-Prerequisites
    New-Item -ItemType Directory -Force -Path $Obj | Out-Null
    $ilc = Get-Ilc
    Invoke-Step 'dotnet build (freestanding)' {
        Invoke-Native 'dotnet' @('build', (Join-Path $Root 'src/Kernel/Kernel.csproj'), '-c', 'Release', '-v', 'q', '-nologo', '-clp:ErrorsOnly') | Out-Null
    }
    $bin = Join-Path $Root 'src/Kernel/bin/Release'
    $inputs = @('Kernel.dll', 'Kernel.CoreLib.dll') + @(Get-ChildItem $bin -Filter 'Kernel.*.dll' |
        Where-Object { $_.Name -notin @('Kernel.CoreLib.dll') } | ForEach-Object { $_.Name })
    $inputs = $inputs | Select-Object -Unique | ForEach-Object { Join-Path $bin $_ }
    Invoke-Step 'ilc (NativeAOT, x86-64 baseline)' {
        Invoke-Native $ilc (@($inputs) + @('--systemmodule:Kernel.CoreLib', '--targetos:linux', '--targetarch:x64',
            '-O', '--nativelib', '--instruction-set:x86-64', '-o', (Join-Path $Obj 'kernel.o'),
            "--map:$(Join-Path $Obj 'kernel.map')")) | Out-Null
    }
    $boot = Join-Path $Root 'src/Kernel/Boot'
    $asmObjects = @()
    Invoke-Step 'nasm (boot, isr, arch)' {
        foreach ($name in @('boot', 'isr', 'arch')) {
            $o = Join-Path $Obj "$name.o"
            Invoke-Native 'nasm' @('-f', 'elf64', '-o', $o, (Join-Path $boot "$name.asm")) | Out-Null
        }
    }
    $asmObjects = @('boot', 'isr', 'arch') | ForEach-Object { Join-Path $Obj "$_.o" }
    $ldArgs = @('-n', '-z', 'max-page-size=0x1000', '--no-warn-rwx-segments', '-T', (Join-Path $boot 'linker.ld'))
    $objects = @($asmObjects) + @(Join-Path $Obj 'kernel.o')
    Invoke-Step 'ld (twice: symbols for backtraces)' {
        $first = Join-Path $Obj 'kernel.nosyms.elf'
        Invoke-Native 'ld' ($ldArgs + @('-o', $first) + $objects) | Out-Null
        $symBin = Join-Path $Obj 'ksyms.bin'
        $count = Write-SymbolTable $first $symBin $inputs
        $symObj = Join-Path $Obj 'ksyms.o'
        Push-Location $Obj
        try {
            Invoke-Native 'objcopy' @('-I', 'binary', '-O', 'elf64-x86-64', '--rename-section', '.data=.ksyms,alloc,load,readonly,data,contents', 'ksyms.bin', 'ksyms.o') | Out-Null
        } finally { Pop-Location }
        Invoke-Native 'ld' ($ldArgs + @('-o', $Elf) + $objects + @($symObj)) | Out-Null
        # The symbol table is only right if the second link moved no code.
        $a = (Invoke-Native 'nm' @('-n', $first)) | Where-Object { $_ -match ' [tT] ' }
        $b = (Invoke-Native 'nm' @('-n', $Elf)) | Where-Object { $_ -match ' [tT] ' }
        if (($a -join "`n") -ne ($b -join "`n")) { throw 'the second link moved code: symbol table would be wrong' }
        Write-Host "build: $count symbols embedded"
    }
    Invoke-Native 'grub-file' @('--is-x86-multiboot2', $Elf) | Out-Null
    Invoke-Native 'grub-file' @('--is-x86-multiboot', $Elf) | Out-Null
}

function Build-Iso {
    Build-Kernel
    Invoke-Step 'grub-mkrescue (BIOS + UEFI)' {
        $dir = Join-Path $Artifacts 'isoroot'
        Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue
        New-Item -ItemType Directory -Force -Path (Join-Path $dir 'boot/grub') | Out-Null
        Copy-Item $Elf (Join-Path $dir 'boot/kernel.elf')
        Copy-Item (Join-Path $Root 'iso/grub.cfg') (Join-Path $dir 'boot/grub/grub.cfg')
        Invoke-Native 'grub-mkrescue' @('-o', $Iso, $dir) | Out-Null
    }
    Write-Host "build: $Iso"
}

# The `pc` machine (i440FX + PIIX) is pinned: the disk drivers expect its IDE and its PCI routing.
function Get-QemuArgs([string]$mode, [int]$memory) {
    $qa = @('-machine', 'pc', '-m', "${memory}M", '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04')
    switch ($mode) {
        'kernel' { $qa += @('-kernel', $Elf) }
        'uefi' { $qa += @('-bios', $Ovmf, '-cdrom', $Iso) }
        default { $qa += @('-cdrom', $Iso) }
    }
    return $qa
}

function Start-Run {
    Build-Iso
    $mode = if ($Uefi) { 'uefi' } else { 'iso' }
    $qemuArgs = Get-QemuArgs $mode $MemoryMiB
    # Serial and the QEMU monitor share this terminal: Ctrl-C goes to the kernel, Ctrl-A X quits.
    $qemuArgs += @('-chardev', 'stdio,id=con,signal=off,mux=on', '-serial', 'chardev:con', '-mon', 'chardev=con')
    if (-not $Vga) { $qemuArgs += @('-display', 'none') }
    if (-not $NoDisk) {
        # A 512 MiB sparse scratch disk, kept between runs: /dev/vda.
        $scratch = Join-Path $Artifacts 'disk.img'
        if (-not (Test-Path $scratch)) {
            $f = [IO.File]::Create($scratch); $f.SetLength(512MB); $f.Dispose()
            Write-Host "build: created the scratch disk $scratch (512 MiB, sparse)"
        }
        $qemuArgs += @('-drive', "file=$scratch,format=raw,if=virtio")
    }
    foreach ($d in $DiskSpecs) {
        if (-not (Test-Path $d[0])) { throw "no disk image at $($d[0])" }
        $qemuArgs += @('-drive', "file=$($d[0]),format=raw,if=$($d[1])")
    }
    Write-Host 'build: booting (Ctrl-A X quits QEMU)'
    & qemu-system-x86_64 @qemuArgs
}

# Boot time: QEMU start to the first prompt on serial, median of 5, from the ISO and from -kernel.
function Measure-Boot([string]$mode) {
    $times = @()
    for ($i = 0; $i -lt 5; $i++) {
        $psi = [Diagnostics.ProcessStartInfo]::new('qemu-system-x86_64')
        foreach ($a in (Get-QemuArgs $mode 512) + @('-serial', 'stdio', '-display', 'none', '-monitor', 'none')) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardInput = $true; $psi.UseShellExecute = $false
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $p = [Diagnostics.Process]::Start($psi)
        $seen = ''
        $buffer = [char[]]::new(4096)
        while ($sw.Elapsed.TotalSeconds -lt 60) {
            $n = $p.StandardOutput.Read($buffer, 0, $buffer.Length)
            if ($n -le 0) { break }
            $seen += [string]::new($buffer, 0, $n)
            if ($seen.Contains('/ # ')) { break }
        }
        $times += $sw.Elapsed.TotalSeconds
        try { $p.Kill($true) } catch { }
        $p.WaitForExit()
        if (-not $seen.Contains('/ # ')) { throw "no prompt within 60 s ($mode boot)" }
    }
    $sorted = $times | Sort-Object
    return $sorted[2]
}

# A guest on QEMU's serial console, read expect-style: Wait-Guest searches the output from a
# position for a pattern, reading more (with a deadline) until it appears or QEMU closes stdout.
function Start-Guest([string[]]$arguments) {
    $psi = [Diagnostics.ProcessStartInfo]::new('qemu-system-x86_64')
    foreach ($a in $arguments) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardInput = $true; $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $p = [Diagnostics.Process]::Start($psi)
    $stderr = $p.StandardError.ReadToEndAsync()
    return [pscustomobject]@{ Process = $p; Text = [Text.StringBuilder]::new(); Pending = $null; Buffer = [char[]]::new(4096); Position = 0; Stderr = $stderr }
}

# Why a guest did not answer: QEMU's state, its stderr and the end of its console.
function Get-GuestTail($guest) {
    $text = $guest.Text.ToString()
    $tail = $text.Substring([Math]::Max(0, $text.Length - 600)).Replace("`r", '')
    $state = if ($guest.Process.HasExited) { "exited with status $($guest.Process.ExitCode)" } else { 'running' }
    $err = if ($guest.Stderr.IsCompleted) { $guest.Stderr.Result.Trim() } else { '' }
    return "QEMU $state; stderr: '$err'; console ends:`n$tail"
}

function Wait-Guest($guest, [string]$pattern, [double]$seconds) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $m = [regex]::new($pattern).Match($guest.Text.ToString(), $guest.Position)
        if ($m.Success) { $guest.Position = $m.Index + $m.Length; return $m }
        $left = $seconds - $sw.Elapsed.TotalSeconds
        if ($left -le 0) { return $null }
        if ($null -eq $guest.Pending) { $guest.Pending = $guest.Process.StandardOutput.ReadAsync($guest.Buffer, 0, $guest.Buffer.Length) }
        if ($guest.Pending.Wait([int][Math]::Min($left * 1000, 500))) {
            $n = $guest.Pending.Result; $guest.Pending = $null
            if ($n -le 0) { return $null }
            $null = $guest.Text.Append($guest.Buffer, 0, $n)
        }
    }
}

function Send-Guest($guest, [string]$line) {
    $guest.Process.StandardInput.Write("$line`n"); $guest.Process.StandardInput.Flush()
}

function Stop-Guest($guest) {
    try { $guest.Process.Kill($true) } catch { }
    $guest.Process.WaitForExit()
}

# `memhog 2048 1` Runs times in a booted guest: the ms figures, or $null (with a reason) if any
# run did not report. $ready: what the guest prints when its shell is ready.
function Measure-Memhog([string]$what, [string[]]$arguments, [string]$ready, [int]$runs) {
    $guest = Start-Guest $arguments
    try {
        if (-not (Wait-Guest $guest $ready 180)) { Write-Host "bench peer: $what did not reach its shell in 180 s: $(Get-GuestTail $guest)"; return $null }
        $ms = @()
        for ($i = 0; $i -lt $runs; $i++) {
            Send-Guest $guest 'memhog 2048 1'
            $m = Wait-Guest $guest 'memhog pages=2048 passes=1 ms=(\d+)' 120
            if (-not $m) { Write-Host "bench peer: $what run $($i + 1) of $runs printed no figure: $(Get-GuestTail $guest)"; return $null }
            $ms += [int]$m.Groups[1].Value
        }
        return $ms
    } finally { Stop-Guest $guest }
}

# The kernel against Debian's Linux in the same QEMU (TCG, 512 MiB), both measured now:
# the Linux peer from ../shared/peer (built under $PEER, default /tmp/peer, by its setup.sh).
function Measure-Peer {
    $peer = if ($env:PEER) { $env:PEER } else { '/tmp/peer' }
    $setup = [IO.Path]::GetFullPath((Join-Path $Root '../shared/peer/setup.sh'))
    $vmlinuz = Join-Path $peer 'vmlinuz'; $initrd = Join-Path $peer 'initrd.gz'; $disk = Join-Path $peer 'swap.img'
    if (-not ((Test-Path $vmlinuz) -and (Test-Path $initrd) -and (Test-Path $disk))) {
        Write-Host "bench peer: the Linux peer is missing (no vmlinuz, initrd.gz and swap.img in $peer): run $setup once; no comparison printed"
        return
    }
    $runs = 5
    $kernelArgs = (Get-QemuArgs 'iso' 512) + @('-serial', 'stdio', '-display', 'none', '-monitor', 'none')
    $ours = Measure-Memhog 'CsKernel' $kernelArgs '(^|\n)/[^\s#]* # ' $runs
    $linuxArgs = @('-m', '512M', '-no-reboot', '-kernel', $vmlinuz, '-initrd', $initrd, '-append', 'console=ttyS0 quiet panic=-1',
        '-drive', "file=$disk,format=raw,if=ide", '-serial', 'stdio', '-display', 'none', '-monitor', 'none')
    $linux = Measure-Memhog 'Linux' $linuxArgs 'peer: shell ready' $runs
    if (-not $ours -or -not $linux) { Write-Host 'bench peer: FAILED: no ratio (see above)'; return }
    $a = @($ours | Sort-Object); $b = @($linux | Sort-Object)
    $ma = $a[[int]($runs / 2)]; $mb = $b[[int]($runs / 2)]
    $kver = (Get-Item $vmlinuz).Target
    Write-Host ('bench peer: memhog 2048 1, median of {0} in the same QEMU (TCG, 512 MiB): CsKernel {1} ms ({2}..{3}), Linux {4} ms ({5}..{6}; {7})' -f
        $runs, $ma, $a[0], $a[-1], $mb, $b[0], $b[-1], (Split-Path -Leaf "$kver"))
    if ($mb -le 0) { Write-Host 'bench peer: Linux measured 0 ms: no ratio'; return }
    Write-Host ('bench peer: ratio CsKernel/Linux {0:0.00}' -f ($ma / $mb))
}

function Start-Bench {
    Build-Iso
    if ($FsOnly) { Measure-Fs; return }
    if ($ReclaimOnly) { Measure-Reclaim; return }
    # Not $iso: PowerShell names are case-insensitive, and called functions would see it as $Iso.
    $isoBoot = Measure-Boot 'iso'
    $kernelBoot = Measure-Boot 'kernel'
    Write-Host ('bench boot: iso median {0:0.000} s, -kernel median {1:0.000} s (target <= 1.0 s from the ISO; 5 boots each, TCG)' -f $isoBoot, $kernelBoot)
    if ($BootOnly) { return }
    Measure-Peer
    Measure-Disks
    Measure-Reclaim
    Measure-Fs
    $mmBench = Join-Path $Root 'tests/Kernel.Mm.Bench/Kernel.Mm.Bench.csproj'
    if (Test-Path $mmBench) {
        & dotnet run -c Release --project $mmBench -- --filter '*'
    }
}

# Boots QEMU with $qemuArgs (serial on stdio), waits for `ready`, sends $command, returns the serial
# output once it matches $until (or throws after $seconds).
function Invoke-Serial([string[]]$qemuArgs, [string]$ready, [string]$command, [string]$until, [int]$seconds) {
    $psi = [Diagnostics.ProcessStartInfo]::new('qemu-system-x86_64')
    foreach ($a in $qemuArgs) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardInput = $true; $psi.UseShellExecute = $false
    $p = [Diagnostics.Process]::Start($psi)
    try {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $seen = [Text.StringBuilder]::new()
        $buffer = [char[]]::new(4096)
        $sent = $false
        $read = $p.StandardOutput.ReadAsync($buffer, 0, $buffer.Length)
        while ($sw.Elapsed.TotalSeconds -lt $seconds) {
            if (-not $read.Wait(500)) { continue }
            if ($read.Result -le 0) { break }
            [void]$seen.Append($buffer, 0, $read.Result)
            $read = $p.StandardOutput.ReadAsync($buffer, 0, $buffer.Length)
            $text = $seen.ToString()
            if (-not $sent -and $text.Contains($ready)) {
                $p.StandardInput.Write("$command`n"); $p.StandardInput.Flush(); $sent = $true
            }
            if ($sent -and $text -match $until) { return $text }
        }
        throw "no '$until' within $seconds s; serial output:`n$($seen.ToString())"
    } finally {
        try { $p.Kill($true) } catch { }
        $p.WaitForExit()
    }
}

# The three figures of `bench disk` (16 MiB read and written in 64 KiB requests, 4096 writes of
# 4 KiB) on a fresh sparse 512 MiB disk of each bus, here and on the Linux peer in the same QEMU
# (../shared/peer, dd with O_DIRECT, timed with the kernel's clock from /proc/timer_list), median
# of 3 boots each; prints ours/Linux per figure (<= 1.0: at least as fast).
function Measure-Disks {
    $peerScripts = Join-Path $Root '../shared/peer'
    $peer = if ($env:PEER) { $env:PEER } else { '/tmp/peer' }
    $havePeer = (Test-Path (Join-Path $peerScripts 'run.sh')) -and (Test-Path (Join-Path $peer 'vmlinuz'))
    if (-not $havePeer) {
        Write-Host "bench disk: the Linux peer is not set up (run $peerScripts/setup.sh once): no ratios, our figures only"
    }
    $names = @('read', 'write', 'small')
    foreach ($bus in @('virtio', 'ide')) {
        $dev = if ($bus -eq 'virtio') { 'vda' } else { 'sda' }
        $ours = @{ read = @(); write = @(); small = @() }
        $linux = @{ read = @(); write = @(); small = @() }
        for ($run = 0; $run -lt 3; $run++) {
            $img = Join-Path ([IO.Path]::GetTempPath()) "bench-disk-$([Guid]::NewGuid().ToString('N')).img"
            try {
                $f = [IO.File]::Create($img); $f.SetLength(512MB); $f.Dispose()
                $qa = (Get-QemuArgs 'iso' 512) + @('-serial', 'stdio', '-display', 'none', '-monitor', 'none',
                    '-drive', "file=$img,format=raw,if=$bus")
                $out = Invoke-Serial $qa '/ # ' "bench disk $dev" '4 KiB writes: 4096 in [\d.]+ s' 120
                $m = [regex]::Match($out, 'sequential read 16 MiB in 64 KiB requests: ([\d.]+) s')
                $ours.read += [double]$m.Groups[1].Value
                $ours.write += [double][regex]::Match($out, 'sequential write 16 MiB in 64 KiB requests: ([\d.]+) s').Groups[1].Value
                $ours.small += [double][regex]::Match($out, '4 KiB writes: 4096 in ([\d.]+) s').Groups[1].Value
                if ($havePeer) {
                    $f = [IO.File]::Create($img); $f.SetLength(0); $f.SetLength(512MB); $f.Dispose()
                    $t = "t() { set -- `$(grep 'now at' /proc/timer_list | head -1); echo `$3; }; a=`$(t); " +
                        "dd if=/dev/$dev of=/dev/null bs=64k count=256 iflag=direct 2>/dev/null; b=`$(t); " +
                        "dd if=/dev/zero of=/dev/$dev bs=64k count=256 oflag=direct 2>/dev/null; c=`$(t); " +
                        "dd if=/dev/zero of=/dev/$dev bs=4k count=4096 oflag=direct 2>/dev/null; d=`$(t); " +
                        "echo peer-result read=`$((b-a)) write=`$((c-b)) small=`$((d-c))"
                    # The first characters sent may be lost while the peer's shell starts: a throwaway line first.
                    $env:DISK = $img; $env:DISK_IF = $bus; $env:PEER = $peer
                    $peerOut = (& bash (Join-Path $peerScripts 'run.sh') "true`n$t" 2>&1) -join "`n"
                    Remove-Item Env:DISK, Env:DISK_IF
                    $pm = [regex]::Match($peerOut, 'peer-result read=(\d+) write=(\d+) small=(\d+)')
                    if (-not $pm.Success) { throw "the Linux peer printed no figures:`n$peerOut" }
                    $linux.read += [double]$pm.Groups[1].Value / 1e9
                    $linux.write += [double]$pm.Groups[2].Value / 1e9
                    $linux.small += [double]$pm.Groups[3].Value / 1e9
                }
            } finally { Remove-Item $img -ErrorAction SilentlyContinue }
        }
        foreach ($n in $names) {
            $o = ($ours[$n] | Sort-Object)[1]
            $what = switch ($n) { 'read' { 'read 16 MiB (64 KiB requests) ' } 'write' { 'write 16 MiB (64 KiB requests)' } default { '4096 writes of 4 KiB          ' } }
            if ($havePeer) {
                $l = ($linux[$n] | Sort-Object)[1]
                Write-Host ('bench disk {0,-6} {1}: ours {2,8:0.000} s, Linux {3,8:0.000} s, ratio {4:0.00}' -f $bus, $what, $o, $l, ($o / $l))
            } else {
                Write-Host ('bench disk {0,-6} {1}: ours {2,8:0.000} s' -f $bus, $what, $o)
            }
        }
    }
}

# `bench reclaim` (memhog 8192 3 in a container with page_limit 4096, swap on a fresh 512 MiB
# disk) on each bus, against the Linux peer doing the same in a cgroup with memory.max=16M and swap
# on the same kind of disk, both measured now: the median time of 3 runs, our ratio to Linux, and
# the highest usage each reached (ours must stay at or below limit + limit/8 + 64 pages). Linux's
# swapon first judges the swap header our mkswap wrote (its /proc/swaps line, or 'refused').
function Measure-Reclaim {
    $peerScripts = Join-Path $Root '../shared/peer'
    $peer = if ($env:PEER) { $env:PEER } else { '/tmp/peer' }
    $havePeer = (Test-Path (Join-Path $peerScripts 'run.sh')) -and (Test-Path (Join-Path $peer 'vmlinuz'))
    if (-not $havePeer) { Write-Host "bench reclaim: the Linux peer is not set up (run $peerScripts/setup.sh once): our figures only" }
    foreach ($bus in @('virtio', 'ide')) {
        $dev = if ($bus -eq 'virtio') { 'vda' } else { 'sda' }
        $img = Join-Path ([IO.Path]::GetTempPath()) "bench-reclaim-$([Guid]::NewGuid().ToString('N')).img"
        try {
            $f = [IO.File]::Create($img); $f.SetLength(512MB); $f.Dispose()
            $qa = (Get-QemuArgs 'iso' 512) + @('-serial', 'stdio', '-display', 'none', '-monitor', 'none', '-drive', "file=$img,format=raw,if=$bus")
            $out = Invoke-Serial $qa '/ # ' "mkswap /dev/$dev`nswapon /dev/$dev`nbench reclaim" 'bench reclaim: (memhog|FAILED).*\n' 300
            $m = [regex]::Match($out, 'median (\d+) ms of 3, max page_usage (\d+)')
            if (-not $m.Success) { Write-Host "bench reclaim $($bus): FAILED:`n$out"; continue }
            $ours = [double]$m.Groups[1].Value; $peak = [int]$m.Groups[2].Value
            $line = "bench reclaim {0,-6}: ours {1} ms, max page_usage {2} (limit 4096 + 512 + 64 = 4672)" -f $bus, $ours, $peak
            if ($havePeer) {
                # A fresh image again, but with the swap header our mkswap wrote: Linux's own swapon
                # is the judge of that header before the peer makes its own.
                $header = [byte[]]::new(4096)
                $f = [IO.File]::OpenRead($img); $f.ReadExactly($header, 0, 4096); $f.Dispose()
                $f = [IO.File]::Create($img); $f.SetLength(512MB); $f.Write($header, 0, 4096); $f.Dispose()
                $cmd = "if swapon /dev/$dev; then echo peer-swapon-'ours' `$(grep /dev/$dev /proc/swaps); swapoff /dev/$dev; else echo peer-swapon-'ours' refused: `$(dmesg | tail -n 1); fi; " +
                    "mkswap /dev/$dev >/dev/null; swapon /dev/$dev; mkdir /cg/c1; echo +memory > /cg/cgroup.subtree_control; " +
                    "echo 16M > /cg/c1/memory.max; echo `$`$ > /cg/c1/cgroup.procs; memhog 8192 3; memhog 8192 3; memhog 8192 3; " +
                    "echo peer-peak `$(cat /cg/c1/memory.peak) `$(grep pswpout /proc/vmstat)"
                $env:DISK = $img; $env:DISK_IF = $bus; $env:PEER = $peer
                $peerOut = (& bash (Join-Path $peerScripts 'run.sh') "true`n$cmd" 2>&1) -join "`n"
                Remove-Item Env:DISK, Env:DISK_IF
                $times = @([regex]::Matches($peerOut, 'memhog pages=8192 passes=3 ms=(\d+)') | ForEach-Object { [double]$_.Groups[1].Value } | Sort-Object)
                $pk = [regex]::Match($peerOut, 'peer-peak (\d+) pswpout (\d+)')
                if ($times.Count -eq 3) {
                    $linux = $times[1]
                    $line += "; Linux {0} ms, peak {1} pages, pswpout {2}; ratio {3:0.00}" -f $linux, ([int64]$pk.Groups[1].Value / 4096), $pk.Groups[2].Value, ($ours / $linux)
                } else { $line += "; Linux: no figures:`n$peerOut" }
                $judged = [regex]::Match($peerOut, 'peer-swapon-ours ([^\r\n]*)')   # the typed line (echoed) spells it peer-swapon-'ours'
                $line += "`nbench reclaim {0,-6}: Linux's swapon on our mkswap's header: {1}" -f $bus, $(if ($judged.Success) { $judged.Groups[1].Value } else { 'no answer' })
            }
            Write-Host $line
        } finally { Remove-Item $img -ErrorAction SilentlyContinue }
    }
}

# `bench fs` (16 MiB written in 64 KiB writes and synced, read cold after drop_caches 3, read warm)
# on a fresh 512 MiB ext2 image (the host's mke2fs -t ext2) on each bus, here and on the Linux peer
# (its ext4 driver mounts ext2; dd with the same sizes, timed with /proc/timer_list), median of 3
# boots each; prints ours/Linux per figure (<= 1.0: at least as fast).
function Measure-Fs {
    if (-not (Get-Command mke2fs -ErrorAction SilentlyContinue)) { Write-Host 'bench fs: no mke2fs on this host (e2fsprogs): skipped'; return }
    $peerScripts = Join-Path $Root '../shared/peer'
    $peer = if ($env:PEER) { $env:PEER } else { '/tmp/peer' }
    $havePeer = (Test-Path (Join-Path $peerScripts 'run.sh')) -and (Test-Path (Join-Path $peer 'vmlinuz'))
    if (-not $havePeer) {
        Write-Host "bench fs: the Linux peer is not set up (run $peerScripts/setup.sh once): no ratios, our figures only"
    }
    $names = @('write', 'sync', 'cold', 'warm')
    foreach ($bus in @('virtio', 'ide')) {
        $dev = if ($bus -eq 'virtio') { 'vda' } else { 'sda' }
        $ours = @{}; $linux = @{}
        foreach ($n in $names) { $ours[$n] = @(); $linux[$n] = @() }
        for ($run = 0; $run -lt 3; $run++) {
            $img = Join-Path ([IO.Path]::GetTempPath()) "bench-fs-$([Guid]::NewGuid().ToString('N')).img"
            try {
                $f = [IO.File]::Create($img); $f.SetLength(512MB); $f.Dispose()
                & mke2fs -q -F -t ext2 $img | Out-Null
                $qa = (Get-QemuArgs 'iso' 512) + @('-serial', 'stdio', '-display', 'none', '-monitor', 'none',
                    '-drive', "file=$img,format=raw,if=$bus")
                $out = Invoke-Serial $qa '/ # ' "mount /dev/$dev /mnt`nbench fs /mnt" 'warm read 16 MiB: [\d.]+ s' 180
                $m = [regex]::Match($out, 'write 16 MiB: ([\d.]+) s, sync: ([\d.]+) s')
                $c = [regex]::Match($out, 'cold read 16 MiB: ([\d.]+) s, warm read 16 MiB: ([\d.]+) s')
                $ours.write += [double]$m.Groups[1].Value; $ours.sync += [double]$m.Groups[2].Value
                $ours.cold += [double]$c.Groups[1].Value; $ours.warm += [double]$c.Groups[2].Value
                if ($havePeer) {
                    $f = [IO.File]::Create($img); $f.SetLength(0); $f.SetLength(512MB); $f.Dispose()
                    & mke2fs -q -F -t ext2 $img | Out-Null
                    $t = "mkdir /tmp/m; mount -t ext2 /dev/$dev /tmp/m; " +
                        "t() { set -- `$(grep 'now at' /proc/timer_list | head -1); echo `$3; }; a=`$(t); " +
                        "dd if=/dev/zero of=/tmp/m/f bs=64k count=256 2>/dev/null; b=`$(t); sync; c=`$(t); " +
                        "echo 3 > /proc/sys/vm/drop_caches; d=`$(t); dd if=/tmp/m/f of=/dev/null bs=64k 2>/dev/null; e=`$(t); " +
                        "dd if=/tmp/m/f of=/dev/null bs=64k 2>/dev/null; f=`$(t); " +
                        "echo peer-result write=`$((b-a)) sync=`$((c-b)) cold=`$((e-d)) warm=`$((f-e))"
                    $env:DISK = $img; $env:DISK_IF = $bus; $env:PEER = $peer
                    $peerOut = (& bash (Join-Path $peerScripts 'run.sh') "true`n$t" 2>&1) -join "`n"
                    Remove-Item Env:DISK, Env:DISK_IF
                    $pm = [regex]::Match($peerOut, 'peer-result write=(\d+) sync=(\d+) cold=(\d+) warm=(\d+)')
                    if (-not $pm.Success) { throw "the Linux peer printed no figures:`n$peerOut" }
                    for ($k = 0; $k -lt 4; $k++) { $linux[$names[$k]] += [double]$pm.Groups[$k + 1].Value / 1e9 }
                }
            } finally { Remove-Item $img -ErrorAction SilentlyContinue }
        }
        foreach ($n in $names) {
            $o = ($ours[$n] | Sort-Object)[1]
            $what = switch ($n) { 'write' { 'write 16 MiB (64 KiB writes)' } 'sync' { 'sync after it               ' } 'cold' { 'cold read 16 MiB            ' } default { 'warm read 16 MiB            ' } }
            if ($havePeer) {
                $l = ($linux[$n] | Sort-Object)[1]
                $ratio = if ($l -gt 0) { '{0:0.00}' -f ($o / $l) } else { 'n/a' }
                Write-Host ('bench fs {0,-6} {1}: ours {2,8:0.000} s, Linux {3,8:0.000} s, ratio {4}' -f $bus, $what, $o, $l, $ratio)
            } else {
                Write-Host ('bench fs {0,-6} {1}: ours {2,8:0.000} s' -f $bus, $what, $o)
            }
        }
    }
}

# Runs every test project; prints one closing line 'N passed, N failed'.
function Start-Test {
    $passed = 0; $failed = 0
    # The QEMU tests use the image built here (else they build it themselves).
    try { Build-Iso; $env:KERNEL_TESTS_NO_BUILD = '1' } catch { Write-Host "build: FAILED: $_"; $failed++ }
    $projects = Get-ChildItem (Join-Path $Root 'tests') -Recurse -Filter '*.Tests.csproj' | Sort-Object Name
    foreach ($project in $projects) {
        Write-Host "test: $($project.BaseName)"
        $testArgs = @('test', $project.FullName, '-c', 'Release', '-nologo')
        if ($Filter) { $testArgs += @('--filter', $Filter) }
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $output = & dotnet @testArgs 2>&1
        $output | ForEach-Object { Write-Host $_ }
        $summary = $output | Select-String -Pattern 'Failed:\s+(\d+),\s+Passed:\s+(\d+)' | Select-Object -Last 1
        if ($summary) {
            $failed += [int]$summary.Matches[0].Groups[1].Value
            $passed += [int]$summary.Matches[0].Groups[2].Value
        } else {
            Write-Host "test: $($project.BaseName) did not run (build error?)"
            $failed++
        }
        Write-Step "test $($project.BaseName)" $sw.Elapsed.TotalSeconds
    }
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

switch ($Task) {
    'build' { Build-Kernel; Write-Host "build: $Elf" }
    'iso' { Build-Iso }
    'run' { Start-Run }
    'test' { Start-Test }
    'torture' {
        # The kill storm: random kill -9 for a minute among jobs in three containers (tests/Kernel.Torture).
        Build-Iso
        $env:KERNEL_TESTS_NO_BUILD = '1'
        & dotnet test (Join-Path $Root 'tests/Kernel.Torture/Kernel.Torture.csproj') -c Release -nologo --logger 'console;verbosity=normal'
        if ($LASTEXITCODE -ne 0) { exit 1 }
    }
    'bench' { Start-Bench }
    'clean' {
        Remove-Item -Recurse -Force $Artifacts, $Iso -ErrorAction SilentlyContinue
        Get-ChildItem $Root -Recurse -Directory -Include 'bin', 'obj' | Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
        Write-Host 'build: clean'
    }
}
