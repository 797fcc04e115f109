// The pipe (src/Kernel.Vfs/Pipe.cs): a model-based property test where a wait that would block
// gives up instead (EINTR, with what was transferred so far), and threaded tests where waits
// really sleep (a monitor plays the kernel's interrupt lock and wait queues): bytes arrive in
// order and intact, writes of up to Capacity bytes are never split, the end of file comes once
// every writer is gone and EPIPE once every reader is.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CsCheck;
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class PipeTests
    {
        // A wait that never sleeps: Sleep gives up at once, as if a signal were pending.
        private sealed class GiveUp : PipeWait
        {
            public int Sleeps, Wakes;
            public override bool Sleep() { Sleeps++; return false; }
            public override void WakeAll() => Wakes++;
        }

        public enum Kind { Write, Read, CloseReader, CloseWriter }

        public readonly record struct Op(Kind Kind, int Count)
        {
            public override string ToString() => Kind is Kind.Write or Kind.Read ? $"{Kind}({Count})" : Kind.ToString();
        }

        private static readonly Gen<Op> GenOp = Gen.Frequency(
            (8, Gen.Int[0, 9000].Select(n => new Op(Kind.Write, n))),
            (8, Gen.Int[0, 9000].Select(n => new Op(Kind.Read, n))),
            (1, Gen.Const(new Op(Kind.CloseReader, 0))),
            (1, Gen.Const(new Op(Kind.CloseWriter, 0))));

        [Fact]
        public void Histories_match_a_queue_model()
        {
            GenOp.Array[1, 40].Sample(ops =>
            {
                var readWait = new GiveUp();
                var writeWait = new GiveUp();
                Pipe pipe = Pipe.Create(readWait, writeWait, out OpenFile reader, out OpenFile writer);
                var model = new Queue<byte>();
                bool readerOpen = true, writerOpen = true;
                byte next = 0;
                foreach (Op op in ops)
                {
                    int wakesBefore = readWait.Wakes + writeWait.Wakes;
                    switch (op.Kind)
                    {
                        case Kind.Write:
                        {
                            byte[] data = new byte[op.Count];
                            for (int i = 0; i < data.Length; i++) data[i] = next++;
                            next -= (byte)data.Length;
                            Errno e = writer.Write(data, 0, data.Length, out int written);
                            int room = Pipe.Capacity - model.Count;
                            if (!writerOpen) { Assert.Equal(Errno.EBADF, e); break; }
                            if (op.Count == 0) { Assert.Equal((Errno.None, 0), (e, written)); break; }   // as Linux: before the reader check
                            if (!readerOpen) { Assert.Equal((Errno.EPIPE, 0), (e, written)); break; }
                            if (op.Count <= room) Assert.Equal((Errno.None, op.Count), (e, written));
                            else if (op.Count <= Pipe.Capacity) Assert.Equal((Errno.EINTR, 0), (e, written));   // atomic: all or nothing
                            else Assert.Equal((Errno.EINTR, room), (e, written));                              // long: what fits
                            for (int i = 0; i < written; i++) model.Enqueue(data[i]);
                            next += (byte)written;
                            if (written > 0) Assert.True(readWait.Wakes > 0);
                            break;
                        }
                        case Kind.Read:
                        {
                            byte[] into = new byte[op.Count];
                            Errno e = reader.Read(into, 0, into.Length, out int read);
                            if (!readerOpen) { Assert.Equal(Errno.EBADF, e); break; }
                            if (op.Count == 0) { Assert.Equal((Errno.None, 0), (e, read)); break; }
                            if (model.Count == 0)
                            {
                                // Empty: the end of file once no writer is left, else it would wait.
                                Assert.Equal(writerOpen ? (Errno.EINTR, 0) : (Errno.None, 0), (e, read));
                                break;
                            }
                            int expected = Math.Min(op.Count, model.Count);
                            Assert.Equal((Errno.None, expected), (e, read));
                            for (int i = 0; i < read; i++) Assert.Equal(model.Dequeue(), into[i]);
                            Assert.True(writeWait.Wakes > 0);
                            break;
                        }
                        case Kind.CloseReader:
                            reader.Close();
                            if (readerOpen) Assert.True(writeWait.Wakes + readWait.Wakes > wakesBefore);   // writers learn of it
                            readerOpen = false;
                            break;
                        case Kind.CloseWriter:
                            writer.Close();
                            if (writerOpen) Assert.True(writeWait.Wakes + readWait.Wakes > wakesBefore);   // readers learn of it
                            writerOpen = false;
                            break;
                    }
                    Assert.Equal(model.Count, pipe.Count);
                    Assert.Equal(readerOpen ? 1 : 0, pipe.Readers);
                    Assert.Equal(writerOpen ? 1 : 0, pipe.Writers);
                }
            }, iter: 3000, print: ops => string.Join(" ", ops));
        }

        // Waits over one monitor: the monitor is the lock every pipe call holds, as the kernel's
        // interrupt lock; Sleep lets it go. A cancelled wait gives up, like a killed task.
        private sealed class MonitorWait(object gate) : PipeWait
        {
            public volatile bool Cancelled;
            public override bool Sleep()
            {
                if (Cancelled) return false;
                Monitor.Wait(gate, 1000);   // the timeout only guards the test against a lost wake
                return !Cancelled;
            }
            public override void WakeAll() => Monitor.PulseAll(gate);
        }

        private static Errno Locked(object gate, Func<Errno> call)
        {
            lock (gate) return call();
        }

        [Fact]
        public void A_stream_arrives_whole_and_in_order_then_the_end_of_file()
        {
            object gate = new();
            Pipe.Create(new MonitorWait(gate), new MonitorWait(gate), out OpenFile reader, out OpenFile writer);
            var rng = new Random(1);
            byte[] stream = new byte[300_000];
            rng.NextBytes(stream);
            var received = new List<byte>();
            var consumer = new Thread(() =>
            {
                var r = new Random(2);
                byte[] buffer = new byte[10_000];
                while (true)
                {
                    int want = r.Next(1, buffer.Length);
                    int n = 0;
                    Assert.Equal(Errno.None, Locked(gate, () => reader.Read(buffer, 0, want, out n)));
                    if (n == 0) break;
                    received.AddRange(buffer.Take(n));
                }
            });
            consumer.Start();
            int at = 0;
            while (at < stream.Length)
            {
                int chunk = Math.Min(rng.Next(0, 9000), stream.Length - at);
                int written = 0;
                Assert.Equal(Errno.None, Locked(gate, () => writer.Write(stream, at, chunk, out written)));
                Assert.Equal(chunk, written);
                at += chunk;
            }
            lock (gate) writer.Close();
            Assert.True(consumer.Join(TimeSpan.FromSeconds(30)));
            Assert.Equal(stream, received.ToArray());
        }

        [Fact]
        public void Writes_up_to_capacity_are_never_split_between_writers()
        {
            object gate = new();
            Pipe.Create(new MonitorWait(gate), new MonitorWait(gate), out OpenFile reader, out OpenFile writer);
            const int Writers = 4, Records = 200;
            var threads = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
            {
                var r = new Random(w);
                for (int k = 0; k < Records; k++)
                {
                    int size = r.Next(1, Pipe.Capacity - 1);   // with its 2-byte header: at most Capacity
                    byte[] framed = new byte[size + 2];
                    framed[0] = (byte)(size >> 8);
                    framed[1] = (byte)size;
                    Array.Fill(framed, (byte)(w + 1), 2, size);
                    int written = 0;
                    Assert.Equal(Errno.None, Locked(gate, () => writer.Write(framed, 0, framed.Length, out written)));
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            var all = new List<byte>();
            var done = new Thread(() => { threads.ForEach(t => t.Join()); lock (gate) writer.Close(); });
            done.Start();
            byte[] buffer = new byte[777];
            while (true)
            {
                int n = 0;
                Assert.Equal(Errno.None, Locked(gate, () => reader.Read(buffer, 0, buffer.Length, out n)));
                if (n == 0) break;
                all.AddRange(buffer.Take(n));
            }
            // Every record is its header and then its writer's byte, uninterrupted.
            int at = 0, records = 0;
            while (at < all.Count)
            {
                int size = (all[at] << 8) | all[at + 1];
                byte who = all[at + 2];
                Assert.InRange(who, 1, Writers);
                for (int i = 0; i < size; i++) Assert.Equal(who, all[at + 2 + i]);
                at += size + 2;
                records++;
            }
            Assert.Equal(Writers * Records, records);
        }

        [Fact]
        public void A_writer_whose_reader_leaves_gets_EPIPE_and_a_sleeping_one_is_woken_for_it()
        {
            object gate = new();
            Pipe.Create(new MonitorWait(gate), new MonitorWait(gate), out OpenFile reader, out OpenFile writer);
            Errno result = Errno.None;
            long total = 0;
            var producer = new Thread(() =>
            {
                byte[] chunk = new byte[1000];
                while (true)
                {
                    int written = 0;
                    Errno e = Locked(gate, () => writer.Write(chunk, 0, chunk.Length, out written));
                    total += written;
                    if (e != Errno.None) { result = e; return; }
                }
            });
            producer.Start();
            byte[] buffer = new byte[100];
            int got = 0;
            Assert.Equal(Errno.None, Locked(gate, () => reader.Read(buffer, 0, buffer.Length, out got)));
            Assert.Equal(100, got);
            Thread.Sleep(50);   // the producer fills the pipe and sleeps
            lock (gate) reader.Close();
            Assert.True(producer.Join(TimeSpan.FromSeconds(10)));
            Assert.Equal(Errno.EPIPE, result);
            Assert.Equal(4000, total);   // four whole writes; the fifth waited for room, then the reader left
        }

        [Fact]
        public void A_sleeping_reader_sees_the_end_of_file_when_the_last_writer_leaves()
        {
            object gate = new();
            Pipe.Create(new MonitorWait(gate), new MonitorWait(gate), out OpenFile reader, out OpenFile writer);
            int read = -1;
            Errno e = Errno.EIO;
            var consumer = new Thread(() => e = Locked(gate, () => reader.Read(new byte[10], 0, 10, out read)));
            consumer.Start();
            Thread.Sleep(50);
            lock (gate) writer.Close();
            Assert.True(consumer.Join(TimeSpan.FromSeconds(10)));
            Assert.Equal((Errno.None, 0), (e, read));
        }

        [Fact]
        public void A_cancelled_wait_returns_EINTR_with_the_partial_count()
        {
            object gate = new();
            var writeWait = new MonitorWait(gate);
            Pipe.Create(new MonitorWait(gate), writeWait, out OpenFile reader, out OpenFile writer);
            writeWait.Cancelled = true;
            byte[] big = new byte[Pipe.Capacity + 100];
            int written = 0;
            Assert.Equal(Errno.EINTR, Locked(gate, () => writer.Write(big, 0, big.Length, out written)));
            Assert.Equal(Pipe.Capacity, written);
            Assert.Equal(Errno.EINTR, Locked(gate, () => writer.Write(big, 0, 1, out written)));
            Assert.Equal(0, written);
        }

        [Fact]
        public void The_ends_refuse_the_other_direction()
        {
            Pipe.Create(new GiveUp(), new GiveUp(), out OpenFile reader, out OpenFile writer);
            Assert.Equal(Errno.EBADF, reader.Write(new byte[1], 0, 1, out int _));
            Assert.Equal(Errno.EBADF, writer.Read(new byte[1], 0, 1, out int _));
            Assert.Equal(InodeKind.Fifo, reader.Inode.Kind);
            reader.Close();
            reader.Close();   // a second close is nothing
            writer.Close();
        }
    }
}
