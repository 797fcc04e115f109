// The assembly functions in Boot/arch.asm, bound by symbol. Each is a plain System V call.
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Arch
{
    internal static unsafe class Native
    {
        [RuntimeImport("*", "arch_outb")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void OutB(ushort port, byte value);
        [RuntimeImport("*", "arch_outw")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void OutW(ushort port, ushort value);
        [RuntimeImport("*", "arch_outl")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void OutL(ushort port, uint value);
        [RuntimeImport("*", "arch_inb")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern byte InB(ushort port);
        [RuntimeImport("*", "arch_inw")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ushort InW(ushort port);
        [RuntimeImport("*", "arch_inl")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern uint InL(ushort port);
        [RuntimeImport("*", "arch_io_wait")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void IoWait();
        [RuntimeImport("*", "arch_cli")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Cli();
        [RuntimeImport("*", "arch_sti")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Sti();
        [RuntimeImport("*", "arch_hlt")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Hlt();
        [RuntimeImport("*", "arch_sti_hlt")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void StiHlt();
        [RuntimeImport("*", "arch_read_flags")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadFlags();
        [RuntimeImport("*", "arch_write_flags")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteFlags(ulong flags);
        [RuntimeImport("*", "arch_read_cr0")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr0();
        [RuntimeImport("*", "arch_read_cr2")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr2();
        [RuntimeImport("*", "arch_read_cr3")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr3();
        [RuntimeImport("*", "arch_write_cr3")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteCr3(ulong value);
        [RuntimeImport("*", "arch_read_cr4")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr4();
        [RuntimeImport("*", "arch_invlpg")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Invlpg(ulong address);
        [RuntimeImport("*", "arch_rdtsc")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong Rdtsc();
        [RuntimeImport("*", "arch_rdmsr")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadMsr(uint msr);
        [RuntimeImport("*", "arch_wrmsr")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteMsr(uint msr, ulong value);
        [RuntimeImport("*", "arch_read_rbp")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadRbp();
        [RuntimeImport("*", "arch_read_rsp")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadRsp();
        [RuntimeImport("*", "arch_load_gdt")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadGdt(void* descriptor);
        [RuntimeImport("*", "arch_load_tss")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadTss(ushort selector);
        [RuntimeImport("*", "arch_load_idt")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadIdt(void* descriptor);
        [RuntimeImport("*", "arch_zero_page")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void ZeroPage(ulong* page);
        [RuntimeImport("*", "arch_copy_page")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void CopyPage(ulong* destination, ulong* source);
        [RuntimeImport("*", "arch_yield")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Yield();
        [RuntimeImport("*", "arch_int3")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Int3();
        [RuntimeImport("*", "arch_ud2")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Ud2();
        [RuntimeImport("*", "arch_trigger_double_fault")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void TriggerDoubleFault();
        [RuntimeImport("*", "arch_call_with_saved_registers")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void CallWithSavedRegisters(delegate*<ulong, void> function);
        [RuntimeImport("*", "arch_halt_forever")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void HaltForever();
    }
}
