// Model-based property test of the request queue (CsCheck): random submits of reads, writes and
// flushes from a set of reusable requests, plugs and unplugs, a device that completes its oldest
// command (sometimes with an error) or refuses work for a while, against a model that keeps the
// pending chains as plain lists and merges by the rule the queue documents. After every step the
// commands the device was given, each request's completion and status, the disk's bytes and the
// data every read brought back must equal the model's, and the queue's own Verify must pass.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using CsCheck;
using Kernel.Abi;
using Kernel.Block;
using Xunit;

namespace Kernel.Block.Tests
{
    public unsafe class QueuePropertyTests
    {
        public enum OpKind { Submit, Complete, Plug, Unplug, Refuse, Accept }
        public readonly record struct Op(OpKind Kind, int Request, BlockOp Dir, int Sector, int Count, int Segments, bool Fail);

        public sealed record Device(int MaxSectors, int MaxSegments, int MaxInFlight);

        public sealed record Scenario(Device Device, Op[] Ops)
        {
            public override string ToString() =>
                Device + " ops [" + string.Join(" ", Ops.Select(o => o.Kind switch
                {
                    OpKind.Submit => "S" + o.Request + ":" + o.Dir.ToString()[0] + o.Sector + "+" + o.Count + "/" + o.Segments,
                    OpKind.Complete => o.Fail ? "C!" : "C",
                    OpKind.Plug => "P",
                    OpKind.Unplug => "U",
                    OpKind.Refuse => "R",
                    _ => "A",
                })) + "]";
        }

        private const int Requests = 10;
        private const int DiskSectors = 64;

        static readonly Gen<Op> GenOp =
            Gen.Select(Gen.Int[0, 99], Gen.Int[0, Requests - 1], Gen.Int[0, 9], Gen.Int[0, DiskSectors + 2], Gen.Int[1, 9], Gen.Int[1, 3], Gen.Int[0, 9])
                .Select(t =>
                {
                    var (k, req, dir, sector, count, segs, fail) = t;
                    OpKind kind = k < 50 ? OpKind.Submit : k < 82 ? OpKind.Complete : k < 88 ? OpKind.Plug : k < 94 ? OpKind.Unplug : k < 97 ? OpKind.Refuse : OpKind.Accept;
                    BlockOp d = dir < 5 ? BlockOp.Write : dir < 9 ? BlockOp.Read : BlockOp.Flush;
                    // Adjacent runs are likelier with half the requests 4 sectors long on a grid of 4.
                    bool grid = sector % 2 == 0;
                    int s = grid ? sector / 4 * 4 : sector;
                    int n = grid ? 4 : count;
                    return new Op(kind, req, d, s, Math.Min(n, segs * 4), Math.Min(segs, n), fail == 0);
                });

        static readonly Gen<Scenario> GenScenario =
            from maxSectors in Gen.OneOf(Gen.Const(8), Gen.Const(16), Gen.Int[4, 32])
            from maxSegments in Gen.Int[2, 6]
            from maxInFlight in Gen.Int[1, 3]
            from ops in GenOp.Array[0, 200]
            select new Scenario(new Device(maxSectors, maxSegments, maxInFlight), ops);

        private sealed class MReq
        {
            public int Id;
            public BlockOp Dir;
            public int Sector, Count, Segments;
            public bool Queued, Done;
            public Errno Status;
            public byte[] Expected;   // what a finished read must have brought back
            public int End => Sector + Count;
        }

        private sealed class Model(Device d)
        {
            public readonly List<List<MReq>> Pending = new(), InFlight = new();
            public readonly List<Command> Log = new();
            public readonly byte[] Disk = new byte[DiskSectors * 512];
            public int Plugged;
            public bool Refusing;

            static int Sectors(List<MReq> c) => c.Sum(r => r.Count);
            static int Segs(List<MReq> c) => c.Sum(r => r.Segments);

            bool Fits(List<MReq> c, MReq r) => c[0].Dir == r.Dir && Sectors(c) + r.Count <= d.MaxSectors && Segs(c) + r.Segments <= d.MaxSegments;

            public void Submit(MReq r)
            {
                r.Queued = true;
                r.Done = false;
                if (r.Dir != BlockOp.Flush)
                {
                    var back = Pending.FirstOrDefault(c => c[0].Dir == r.Dir && c[0].Sector + Sectors(c) == r.Sector && Fits(c, r));
                    if (back != null) { back.Add(r); Dispatch(); return; }
                    var front = Pending.FirstOrDefault(c => c[0].Dir == r.Dir && r.End == c[0].Sector && Fits(c, r));
                    if (front != null) { front.Insert(0, r); Dispatch(); return; }
                }
                Pending.Add(new List<MReq> { r });
                Dispatch();
            }

            public void Dispatch()
            {
                while (Plugged == 0 && !Refusing && Pending.Count > 0 && InFlight.Count < d.MaxInFlight)
                {
                    var c = Pending[0];
                    Pending.RemoveAt(0);
                    InFlight.Add(c);
                    Log.Add(new Command(c[0].Dir, (ulong)c[0].Sector, (uint)Sectors(c), c.Count, Segs(c)));
                }
            }

            public void Complete(bool fail, byte[][] writeData)
            {
                var c = InFlight[0];
                InFlight.RemoveAt(0);
                bool failed = fail && c[0].Dir != BlockOp.Flush;
                foreach (var r in c)
                {
                    if (!failed && r.Dir == BlockOp.Write) Array.Copy(writeData[r.Id], 0, Disk, r.Sector * 512, r.Count * 512);
                    if (!failed && r.Dir == BlockOp.Read) r.Expected = Disk.AsSpan(r.Sector * 512, r.Count * 512).ToArray();
                    r.Status = failed ? Errno.EIO : Errno.None;
                    r.Done = true;
                    r.Queued = false;
                }
                Dispatch();
            }
        }

        static void Check(bool ok, string what)
        {
            if (!ok) throw new Exception(what);
        }

        static void Run(Scenario s)
        {
            using var context = new HostContext();
            var disk = new RamDisk(context, "vda", DiskSectors, s.Device.MaxSectors, s.Device.MaxSegments, s.Device.MaxInFlight, poolSize: 0);
            var model = new Model(s.Device);
            bool nextFails = false;
            disk.Fails = (_, _) => nextFails;
            var memory = new IntPtr[Requests];
            var requests = new BlockRequest[Requests];
            var mreqs = new MReq[Requests];
            var writeData = new byte[Requests][];
            int stamp = 0;
            try
            {
                for (int i = 0; i < Requests; i++)
                {
                    // Three pieces of up to 9 sectors each with gaps between, so pieces never fold together.
                    memory[i] = (IntPtr)NativeMemory.AllocZeroed(3 * 5120);
                    requests[i] = new BlockRequest(3, new Completion(context.CreateChannel()));
                    mreqs[i] = new MReq { Id = i };
                }
                foreach (var op in s.Ops)
                {
                    switch (op.Kind)
                    {
                        case OpKind.Submit:
                        {
                            BlockRequest r = requests[op.Request];
                            MReq m = mreqs[op.Request];
                            if (m.Queued)
                            {
                                Check(disk.Queue.Submit(r) == Errno.EBUSY, "a queued request was accepted again");
                                break;
                            }
                            int count = op.Dir == BlockOp.Flush ? 0 : op.Count;
                            m.Expected = null;   // the memory is described anew: the old read is gone
                            m.Status = Errno.None;   // Set clears the last status
                            Check(r.Set(op.Dir, (ulong)op.Sector, (uint)count), "Set refused an idle request");
                            int segments = op.Dir == BlockOp.Flush ? 0 : op.Segments;
                            byte* p = (byte*)memory[op.Request];
                            int left = count * 512;
                            for (int k = 0; k < segments; k++)
                            {
                                int piece = k == segments - 1 ? left : left / (segments - k) / 512 * 512;
                                if (piece == 0) piece = 512;
                                Check(r.AddSegment((ulong)(p + k * 5120), (uint)piece), "AddSegment");
                                left -= piece;
                            }
                            if (op.Dir == BlockOp.Write)
                            {
                                // Fill the pieces with this submit's stamp; remember the bytes in order.
                                stamp++;
                                var data = new byte[count * 512];
                                int at = 0;
                                for (int k = 0; k < r.SegmentCount; k++)
                                {
                                    byte* q = (byte*)r.SegmentPhys(k);
                                    for (int b = 0; b < r.SegmentBytes(k); b++, at++) q[b] = data[at] = (byte)(stamp * 31 + at * 7 + op.Request);
                                }
                                writeData[op.Request] = data;
                            }
                            bool inRange = op.Dir == BlockOp.Flush || op.Sector + count <= DiskSectors;
                            bool tooBig = op.Dir != BlockOp.Flush && (count > s.Device.MaxSectors || r.SegmentCount > s.Device.MaxSegments);
                            Errno expect = tooBig ? Errno.EINVAL : !inRange ? Errno.ENOSPC : Errno.None;
                            Errno got = disk.Queue.Submit(r);
                            Check(got == expect, "Submit returned " + got + ", model expects " + expect);
                            if (got == Errno.None)
                            {
                                m.Dir = op.Dir;
                                m.Sector = op.Sector;
                                m.Count = count;
                                m.Segments = r.SegmentCount;
                                m.Expected = null;
                                model.Submit(m);
                            }
                            break;
                        }
                        case OpKind.Complete:
                            if (model.InFlight.Count == 0)
                            {
                                Check(!disk.CompleteOne(), "the device had a command the model did not");
                                break;
                            }
                            nextFails = op.Fail;
                            Check(disk.CompleteOne(), "the device had no command in flight");
                            model.Complete(op.Fail, writeData);
                            break;
                        case OpKind.Plug:
                            disk.Queue.Plug();
                            model.Plugged++;
                            break;
                        case OpKind.Unplug:
                            disk.Queue.Unplug();
                            if (model.Plugged > 0) model.Plugged--;
                            model.Dispatch();
                            break;
                        case OpKind.Refuse:
                            disk.Busy = true;
                            model.Refusing = true;
                            break;
                        case OpKind.Accept:
                            disk.Busy = false;
                            model.Refusing = false;
                            disk.Queue.Kick();
                            model.Dispatch();
                            break;
                    }
                    string problem = disk.Queue.Verify();
                    Check(problem == null, problem);
                    Check(disk.Log.SequenceEqual(model.Log), "commands given to the device: " + string.Join(", ", disk.Log) +
                        "; the model's: " + string.Join(", ", model.Log));
                    Check(disk.Queue.PendingChains == model.Pending.Count, "pending chains " + disk.Queue.PendingChains + ", model " + model.Pending.Count);
                    Check(disk.Queue.InFlight == model.InFlight.Count, "in flight " + disk.Queue.InFlight + ", model " + model.InFlight.Count);
                    for (int i = 0; i < Requests; i++)
                    {
                        Check(requests[i].IsDone == mreqs[i].Done, "request " + i + " done " + requests[i].IsDone + ", model " + mreqs[i].Done);
                        if (mreqs[i].Done) Check(requests[i].Status == mreqs[i].Status, "request " + i + " status " + requests[i].Status);
                        if (mreqs[i].Done && mreqs[i].Dir == BlockOp.Read && mreqs[i].Expected != null)
                        {
                            byte[] got = new byte[mreqs[i].Count * 512];
                            int at = 0;
                            for (int k = 0; k < requests[i].SegmentCount; k++)
                            {
                                Marshal.Copy((IntPtr)requests[i].SegmentPhys(k), got, at, (int)requests[i].SegmentBytes(k));
                                at += (int)requests[i].SegmentBytes(k);
                            }
                            Check(got.AsSpan().SequenceEqual(mreqs[i].Expected), "request " + i + " read other bytes than the model's disk held");
                        }
                    }
                    Check(disk.Data.AsSpan().SequenceEqual(model.Disk), "the disk's bytes differ from the model's");
                    Check(context.Depth == 0, "the lock is held between operations");
                }
            }
            finally
            {
                System.Threading.Interlocked.Add(ref s_merged, (long)disk.Queue.Merged);
                System.Threading.Interlocked.Add(ref s_multiMemberCommands, disk.Log.Count(c => c.Members > 1));
                foreach (IntPtr p in memory) NativeMemory.Free((void*)p);
            }
        }

        private static long s_merged, s_multiMemberCommands;

        [Fact]
        public void Random_submits_and_completions_agree_with_the_model()
        {
            GenScenario.Sample(Run, iter: 1500, print: s => s.ToString());
            // The scenarios must reach the interesting cases, not only pass.
            Assert.True(s_merged > 300, "merges seen: " + s_merged);
            Assert.True(s_multiMemberCommands > 150, "commands of merged chains seen: " + s_multiMemberCommands);
        }
    }
}
