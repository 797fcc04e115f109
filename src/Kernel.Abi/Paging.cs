// The page size of the x86-64 ABI (getpagesize(), mmap's granularity): 4 KiB. Every layer above
// the core library takes it from here instead of writing 4096 or 12 again.
namespace Kernel.Abi
{
    public static class Paging
    {
        public const int Shift = 12;
        public const ulong Size = 1UL << Shift;
        public const ulong OffsetMask = Size - 1;   // the byte offset within a page

        // Pages needed for `bytes` bytes (rounded up).
        public static ulong PagesFor(ulong bytes) => (bytes + OffsetMask) >> Shift;
    }
}
