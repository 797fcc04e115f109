// The MMU operations Kernel.Mm asks for, on x86-64: invlpg for one page, a CR3 reload for
// everything (no global pages are used for user space), CR3 to switch address spaces; and
// whole-page zeroing and copying with one string instruction each (far cheaper than a loop,
// above all under TCG).
using Kernel.Arch;
using Kernel.Mm;

namespace Kernel.Memory
{
    internal sealed class X86Mmu : Mmu
    {
        public override void Invalidate(ulong va) => Native.Invlpg(va);
        public override void FlushAll() => Native.WriteCr3(Native.ReadCr3());
        public override void Load(ulong rootPhysical) => Native.WriteCr3(rootPhysical);
    }

    internal sealed unsafe class X86PageOps : PageOps
    {
        public override void Zero(ulong* page) => Native.ZeroPage(page);
        public override void Copy(ulong* destination, ulong* source) => Native.CopyPage(destination, source);
    }
}
