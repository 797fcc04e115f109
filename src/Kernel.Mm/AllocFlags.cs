// What an allocation is for; decides whether it may use the allocator's reserve.
namespace Kernel.Mm
{
    [System.Flags]
    public enum AllocFlags : uint
    {
        None = 0,
        // Kernel memory (page tables, kernel heap, stacks, reclaim itself): may take the last
        // frames, including the reserve.
        Kernel = 1 << 0,
        // Anonymous user memory and page cache: fails rather than leave fewer free frames than
        // the reserve. Any allocation without Kernel is treated like this.
        User = 1 << 1,
    }
}
