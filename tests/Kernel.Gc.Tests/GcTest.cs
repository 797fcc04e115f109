// Base of the collector tests: a fresh heap over HostPages per test, the common synthetic types,
// and helpers to build objects, hold roots in native memory and run a collection.
using System;
using System.Runtime.InteropServices;
using Internal.Runtime.Gc;
using Xunit;

namespace Kernel.Gc.Tests
{
    public abstract unsafe class GcTest : IDisposable
    {
        protected byte* Leaf;       // no references, BaseSize 24
        protected byte* Pair;       // references at +8 and +16, BaseSize 32
        protected byte* Node;       // reference at +8 (aux) and +16 (next): BaseSize 32
        protected byte* Mixed;      // references at +8 and +24, a long at +16: BaseSize 40
        protected byte* ObjArray;
        protected byte* Str;
        protected byte* Bytes;
        protected byte* KvArray;    // struct { object key; long value } [], 16-byte elements

        private readonly System.Collections.Generic.List<nint> _native = new();

        protected GcTest() : this(GcHeap.DefaultMarkStackPages) { }

        protected GcTest(nuint markStackPages)
        {
            HostPages.Reset();
            Types.Reset();
            GcStatus s = GcHeap.Init(&HostPages.Alloc, &HostPages.Free, markStackPages, GcHeap.DefaultMaxCachedPages);
            Assert.Equal(GcStatus.Ok, s);
            GcHeap.DebugPoison = false;
            Leaf = Types.Class(24);
            Pair = Types.Class(32, 8, 16);
            Node = Types.Class(32, 8, 16);
            Mixed = Types.Class(40, 8, 24);
            ObjArray = Types.RefArray();
            Str = Types.StringLike();
            Bytes = Types.ByteArray();
            KvArray = Types.StructArray(16, 0);
        }

        public virtual void Dispose()
        {
            foreach (nint p in _native) NativeMemory.Free((void*)p);
            HostPages.Reset();
        }

        protected void* Native(nuint bytes)
        {
            void* p = NativeMemory.AllocZeroed(bytes);
            _native.Add((nint)p);
            return p;
        }

        protected static byte* TryNew(byte* mt, int length = 0)
        {
            byte* block = (byte*)GcHeap.Allocate(Types.SizeOf(mt, length));
            if (block == null) return null;
            byte* obj = block + 8;
            *(byte**)obj = mt;
            if (Types.ComponentSize(mt) != 0) *(int*)(obj + 8) = length;
            return obj;
        }

        protected static byte* New(byte* mt, int length = 0)
        {
            byte* obj = TryNew(mt, length);
            Assert.True(obj != null, "allocation failed");
            return obj;
        }

        protected static void Set(byte* obj, int offset, byte* value) => *(byte**)(obj + offset) = value;
        protected static byte* Get(byte* obj, int offset) => *(byte**)(obj + offset);
        protected static void SetElement(byte* array, int i, byte* value) => *(byte**)(array + 16 + 8 * i) = value;

        protected static bool Alive(byte* obj) => GcHeap.FindObject(obj) == obj;

        // A collection whose only roots are the given references (held in precise slots).
        protected void Collect(params nint[] roots)
        {
            void** slots = (void**)Native((nuint)(8 * Math.Max(roots.Length, 1)));
            for (int i = 0; i < roots.Length; i++) slots[i] = (void*)roots[i];
            Assert.Equal(GcStatus.Ok, GcHeap.BeginCollection());
            for (int i = 0; i < roots.Length; i++) GcHeap.MarkPrecise(&slots[i]);
            Assert.Equal(GcStatus.Ok, GcHeap.Trace());
            Assert.Equal(GcStatus.Ok, GcHeap.Sweep());
        }

        protected static void AssertVerified()
        {
            GcStatus s = GcHeap.Verify(Types.Lo, Types.Hi);
            Assert.True(s == GcStatus.Ok, $"Verify: {s} slot=0x{(nuint)GcHeap.BadSlot:x} value=0x{(nuint)GcHeap.BadValue:x}");
        }
    }
}
