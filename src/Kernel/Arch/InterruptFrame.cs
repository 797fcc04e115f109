// The stack frame Boot/isr.asm builds for every interrupt, lowest address first.
using System.Runtime.InteropServices;

namespace Kernel.Arch
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct InterruptFrame
    {
        public ulong R15, R14, R13, R12, R11, R10, R9, R8, Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
        public ulong Vector, ErrorCode;
        public ulong Rip, Cs, Rflags, Rsp, Ss; // pushed by the CPU
    }
}
