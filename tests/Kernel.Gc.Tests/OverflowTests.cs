// Mark-stack overflow: deep chains and huge arrays with a small mark stack (1 page = 512
// references, or fewer) must still mark everything, by rescanning the overflow range.
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public unsafe class OverflowTests : GcTest
    {
        public OverflowTests() : base(1) { }

        // n nodes {aux @8, next @16}; each aux is an object with one (null) reference, so a
        // depth-first trace keeps one aux per node on the stack and the stack must overflow.
        private byte* Chain(int n, bool ascending, out byte* tail)
        {
            var nodes = new byte*[n];
            for (int i = 0; i < n; i++)
            {
                nodes[i] = New(Node);
                Set(nodes[i], 8, New(Pair));
            }
            byte* head = null;
            tail = null;
            for (int i = 0; i < n; i++)
            {
                int k = ascending ? n - 1 - i : i;   // ascending: head at the lowest address
                Set(nodes[k], 16, head);
                if (head == null) tail = nodes[k];
                head = nodes[k];
            }
            return head;
        }

        [Fact]
        public void A_million_long_list_survives_a_small_mark_stack_and_then_is_freed_completely()
        {
            Assert.Equal((nuint)512, GcHeap.MarkStackCapacity);
            byte* head = Chain(1_000_000, ascending: true, out byte* tail);
            nuint pages = GcHeap.PagesInUse;
            Collect((nint)head);
            Assert.True(GcHeap.MarkOverflows > 0);
            Assert.Equal((nuint)2_000_000, GcHeap.LiveObjects);
            Assert.Equal((nuint)0, GcHeap.FreedObjects);
            Assert.True(Alive(tail) && Alive(Get(tail, 8)));
            Assert.Equal(pages, GcHeap.PagesInUse);
            Collect();
            Assert.Equal((nuint)2_000_000, GcHeap.FreedObjects);
            Assert.Equal((nuint)0, GcHeap.PagesInUse);
            Assert.Equal((nuint)0, GcHeap.BytesInUse);
            Assert.Equal(GcHeap.MetadataPages + GcHeap.CachedPages, HostPages.Outstanding);
            Assert.Equal(0, HostPages.BadFrees);
        }

        [Fact]
        public void A_list_running_downward_in_address_needs_many_passes_but_is_still_marked()
        {
            Marker.LimitCapacity(4);
            byte* head = Chain(20_000, ascending: false, out byte* tail);
            byte* loose = New(Pair);
            Collect((nint)head);
            Assert.True(GcHeap.RescanPasses > 1);
            Assert.Equal((nuint)40_000, GcHeap.LiveObjects);
            Assert.True(Alive(tail));
            Assert.False(Alive(loose));
            AssertVerified();
        }

        [Fact]
        public void A_huge_array_overflows_the_stack_and_every_element_is_still_marked()
        {
            const int n = 200_000;
            byte* arr = New(ObjArray, n);
            for (int i = 0; i < n; i++)
            {
                byte* p = New(Pair);
                if (i % 2 == 0) Set(p, 8, New(Leaf));
                SetElement(arr, i, p);
            }
            byte* loose = New(Leaf);
            Collect((nint)arr);
            Assert.True(GcHeap.MarkOverflows > 0);
            Assert.Equal((nuint)(1 + n + n / 2), GcHeap.LiveObjects);
            Assert.False(Alive(loose));
            AssertVerified();
        }

        [Fact]
        public void Roots_alone_can_overflow_the_stack()
        {
            Marker.LimitCapacity(2);
            const int n = 1000;
            ulong* stack = (ulong*)Native(8 * n);
            for (int i = 0; i < n; i++)
            {
                byte* p = New(Pair);
                Set(p, 16, New(Leaf));
                stack[i] = (ulong)p;
            }
            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            GcHeap.MarkConservative(stack, stack + n);
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());
            Assert.True(GcHeap.MarkOverflows > 0);
            Assert.Equal((nuint)(2 * n), GcHeap.LiveObjects);
        }
    }
}
