// The host's stand-ins for the machine: a BlockContext without a lock (one thread) whose sleeps
// run the simulated hardware's next interrupt, identity "physical" addresses over pinned or native
// memory, and RamDisk, a device whose data is a byte array and whose commands finish when the test
// (or a sleeper) says so — in the order they were started, with errors where the test wants them.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Kernel.Abi;
using Kernel.Block;

namespace Kernel.Block.Tests
{
    public sealed unsafe class HostContext : BlockContext, IDisposable
    {
        private readonly List<IntPtr> _allocations = new();
        public int Depth;                       // lock nesting (must be 0 between operations)
        public Func<bool> Interrupt;            // runs one "interrupt"; false when nothing could
        public Func<ulong, bool> NoPhysical;    // addresses the "devices" cannot reach
        public int Sleeps, Wakes;

        public override void Lock() => Depth++;

        public override void Unlock()
        {
            if (Depth == 0) throw new InvalidOperationException("unlock without lock");
            Depth--;
        }

        public override WaitChannel CreateChannel() => new HostChannel(this);

        public override bool TryPhysical(void* virt, out ulong phys)
        {
            phys = (ulong)virt;
            return NoPhysical == null || !NoPhysical(phys);
        }

        public override byte* Virtual(ulong phys) => (byte*)phys;

        public override bool TryAllocateDma(int order, out ulong phys)
        {
            nuint bytes = (nuint)(4096 << order);
            void* p = NativeMemory.AlignedAlloc(bytes, 4096);
            NativeMemory.Clear(p, bytes);
            _allocations.Add((IntPtr)p);
            phys = (ulong)p;
            return true;
        }

        public void Dispose()
        {
            foreach (IntPtr p in _allocations) NativeMemory.AlignedFree((void*)p);
            _allocations.Clear();
        }

        private sealed class HostChannel(HostContext context) : WaitChannel
        {
            public override void Sleep()
            {
                context.Sleeps++;
                if (context.Depth == 0) throw new InvalidOperationException("sleep without the lock");
                if (context.Interrupt == null || !context.Interrupt())
                    throw new InvalidOperationException("a sleep that nothing will end (deadlock)");
            }

            public override void WakeAll() => context.Wakes++;
        }
    }

    public readonly record struct Command(BlockOp Op, ulong Sector, uint Sectors, int Members, int Segments);

    public sealed unsafe class RamDisk : BlockDevice
    {
        public readonly byte[] Data;
        public readonly List<Command> Log = new();
        public readonly Queue<BlockRequest> InFlight = new();
        public bool Busy;                              // Start says "not now"
        public Func<ulong, uint, bool> Fails;          // a chain touching these sectors ends with EIO
        public int Flushes;

        public RamDisk(HostContext context, string name, ulong sectors, int maxSectors = 128, int maxSegments = 32,
            int maxInFlight = 1, int poolSize = 4, int dmaAlignment = 1, bool readOnly = false)
            : base(context, name, 8, 0)
        {
            Data = new byte[sectors * 512];
            Sectors = sectors;
            MaxSectors = maxSectors;
            MaxSegments = maxSegments;
            MaxInFlight = maxInFlight;
            DmaAlignment = dmaAlignment;
            ReadOnly = readOnly;
            CanFlush = true;
            Model = "RAMDISK";
            if (poolSize > 0) Pool = RequestPool.TryCreate(context, poolSize, maxSegments);
        }

        protected internal override bool Start(BlockRequest chain)
        {
            if (Busy) return false;
            int members = 0;
            for (BlockRequest r = chain; r != null; r = r.NextInChain) members++;
            Log.Add(new Command(chain.Op, chain.Sector, chain.ChainSectors, members, chain.ChainSegments));
            InFlight.Enqueue(chain);
            return true;
        }

        // Ends the oldest started chain: moves its data, checks its shape. False when none.
        public bool CompleteOne()
        {
            if (InFlight.Count == 0) return false;
            BlockRequest chain = InFlight.Dequeue();
            if (chain.Op == BlockOp.Flush)
            {
                Flushes++;
                Queue.Finish(chain, Errno.None);
                return true;
            }
            bool fail = Fails != null && Fails(chain.Sector, chain.ChainSectors);
            ulong at = chain.Sector * 512;
            ulong total = 0;
            int segments = 0;
            for (BlockRequest r = chain; r != null; r = r.NextInChain)
            {
                if (r.Op != chain.Op) throw new InvalidOperationException("a chain mixes directions");
                if (r.Sector * 512 != at) throw new InvalidOperationException("a chain is not contiguous");
                for (int i = 0; i < r.SegmentCount; i++)
                {
                    byte* p = (byte*)r.SegmentPhys(i);
                    uint n = r.SegmentBytes(i);
                    if (DmaAlignment > 1 && r.SegmentPhys(i) % (ulong)DmaAlignment != 0)
                        throw new InvalidOperationException("a segment breaks the device's alignment");
                    if (!fail)
                    {
                        if (chain.Op == BlockOp.Write) Marshal.Copy((IntPtr)p, Data, (int)at, (int)n);
                        else Marshal.Copy(Data, (int)at, (IntPtr)p, (int)n);
                    }
                    at += n;
                    total += n;
                    segments++;
                }
            }
            if (total != (ulong)chain.ChainSectors * 512) throw new InvalidOperationException("segments do not add up to the chain's sectors");
            if (segments != chain.ChainSegments) throw new InvalidOperationException("the chain's segment total is wrong");
            if (chain.ChainSectors > (uint)MaxSectors || segments > MaxSegments) throw new InvalidOperationException("a chain exceeds the limits");
            Queue.Finish(chain, fail ? Errno.EIO : Errno.None);
            return true;
        }
    }
}
