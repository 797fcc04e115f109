// Whole-page fills and copies (4 KiB, page-aligned). The kernel installs machine code for them
// (rep stosq / rep movsq on x86); without one, MmContext uses portable loops (the host tests).
namespace Kernel.Mm
{
    public abstract unsafe class PageOps
    {
        public abstract void Zero(ulong* page);
        public abstract void Copy(ulong* destination, ulong* source);
    }
}
