// The panic screen: what went wrong, the registers, and a backtrace with symbol names, on serial
// and VGA; then port 0xF4 (QEMU's isa-debug-exit ends with status 3; harmless elsewhere) and halt.
// The panic path allocates nothing and takes no lock: it may run with the heap broken.
using System.Runtime;
using Kernel.Arch;
using Kernel.Drivers;

namespace Kernel
{
    internal static unsafe class Panic
    {
        private const ushort DebugExitPort = 0xF4;
        private const int MaxFrames = 24;
        private static bool s_inPanic;

        public static bool InProgress => s_inPanic;

        private static string ExceptionName(ulong vector)
        {
            switch (vector)
            {
                case 0: return "Divide error (#DE)";
                case 1: return "Debug (#DB)";
                case 2: return "Non-maskable interrupt (NMI)";
                case 3: return "Breakpoint (#BP)";
                case 4: return "Overflow (#OF)";
                case 5: return "Bound range exceeded (#BR)";
                case 6: return "Invalid opcode (#UD)";
                case 7: return "Device not available (#NM)";
                case 8: return "Double fault (#DF)";
                case 10: return "Invalid TSS (#TS)";
                case 11: return "Segment not present (#NP)";
                case 12: return "Stack-segment fault (#SS)";
                case 13: return "General protection fault (#GP)";
                case 14: return "Page fault (#PF)";
                case 16: return "x87 floating-point exception (#MF)";
                case 17: return "Alignment check (#AC)";
                case 18: return "Machine check (#MC)";
                case 19: return "SIMD floating-point exception (#XM)";
                case 20: return "Virtualization exception (#VE)";
                case 21: return "Control protection exception (#CP)";
                default: return "Reserved exception";
            }
        }

        // A CPU exception in the kernel.
        public static void Exception(InterruptFrame* f)
        {
            Begin();
            Console.Write("*** KERNEL PANIC: ");
            Console.Write(ExceptionName(f->Vector));
            Console.Write(" vector=");
            Console.WriteDecimal(f->Vector);
            Console.Write(" error=0x");
            Console.WriteHex(f->ErrorCode);
            Console.Write("\n");
            Console.Write("RIP=0x"); Console.WriteHex(f->Rip);
            Console.Write(" CR2=0x"); Console.WriteHex(Native.ReadCr2());
            Console.Write(" RSP=0x"); Console.WriteHex(f->Rsp);
            Console.Write(" RFLAGS=0x"); Console.WriteHex(f->Rflags, 8);
            Console.Write("\nRIP is at "); Symbols.WriteSymbol(f->Rip);
            if (f->Vector == 14) DescribePageFault(f->ErrorCode, Native.ReadCr2());
            Console.Write("\n");
            Register("RAX", f->Rax); Register("RBX", f->Rbx); Register("RCX", f->Rcx); Register("RDX", f->Rdx); Console.Write("\n");
            Register("RSI", f->Rsi); Register("RDI", f->Rdi); Register("RBP", f->Rbp); Register("R8 ", f->R8); Console.Write("\n");
            Register("R9 ", f->R9); Register("R10", f->R10); Register("R11", f->R11); Register("R12", f->R12); Console.Write("\n");
            Register("R13", f->R13); Register("R14", f->R14); Register("R15", f->R15);
            Register("CR3", Native.ReadCr3()); Console.Write("\n");
            Register("CS ", f->Cs); Register("SS ", f->Ss); Register("CR0", Native.ReadCr0()); Register("CR4", Native.ReadCr4()); Console.Write("\n");
            Backtrace(f->Rip, f->Rbp);
            End();
        }

        // A kernel bug detected by code ("Subsystem: reason").
        public static void Fail(string reason)
        {
            Begin();
            Console.Write("*** KERNEL PANIC: ");
            Console.Write(reason);
            Console.Write("\n");
            ulong rbp = Native.ReadRbp();
            Backtrace(*(ulong*)(rbp + 8), *(ulong*)rbp);
            End();
        }

        [RuntimeExport("kernel_runtime_panic")]
        private static void RuntimePanic(string reason) => Fail(reason);

        private static void DescribePageFault(ulong error, ulong address)
        {
            Console.Write("\n  ");
            Console.Write((error & 1) != 0 ? "protection violation" : "page not present");
            Console.Write((error & 2) != 0 ? " on write" : " on read");
            if ((error & 16) != 0) Console.Write(" (instruction fetch)");
            Console.Write((error & 4) != 0 ? " from user mode" : " in kernel mode");
            Console.Write(" at 0x");
            Console.WriteHex(address);
        }

        private static void Register(string name, ulong value)
        {
            Console.Write(name); Console.Write("=0x"); Console.WriteHex(value); Console.Write(" ");
        }

        private static void Begin()
        {
            Native.Cli();
            if (s_inPanic)
            {
                Console.Write("\n*** nested panic\n");
                End();
            }
            s_inPanic = true;
            Console.Write("\n");
        }

        // Frame-pointer walk: each frame is {saved rbp, return address}. Stops at the first frame
        // outside the kernel's stacks or data, or whose return address is not kernel text.
        private static void Backtrace(ulong rip, ulong rbp)
        {
            Console.Write("Backtrace:\n");
            Frame(0, rip);
            for (int i = 1; i < MaxFrames; i++)
            {
                if (rbp < Layout.KernelBase || (rbp & 7) != 0) break;
                ulong ret = *(ulong*)(rbp + 8);
                if (!Layout.IsKernelText(ret)) break;
                Frame(i, ret);
                ulong next = *(ulong*)rbp;
                if (next <= rbp) break;
                rbp = next;
            }
        }

        private static void Frame(int index, ulong address)
        {
            Console.Write("  #");
            Console.WriteDecimal((ulong)index);
            Console.Write(" 0x");
            Console.WriteHex(address);
            Console.Write(" ");
            Symbols.WriteSymbol(address);
            Console.Write("\n");
        }

        private static void End()
        {
            Console.Write("*** end of panic\n");
            Native.OutB(DebugExitPort, 1);
            Native.HaltForever();
        }
    }
}
