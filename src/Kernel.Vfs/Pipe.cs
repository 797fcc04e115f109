// A pipe (Linux's fs/pipe.c): a bounded byte queue with a read end and a write end, each an
// OpenFile over an inode of its own in pipefs (not in the file tree).
//
//   read    waits while the pipe is empty and a writer remains; returns what is there (at most
//           count bytes, possibly fewer); 0 bytes is the end of file: empty and no writer left.
//   write   waits while the pipe lacks room; a write of up to Capacity bytes goes in whole
//           (atomic, PIPE_BUF), a longer one in pieces. EPIPE when no reader is left (also after
//           part of the data went in: written says how much).
//   close   the last reader gone wakes the writers (they get EPIPE); the last writer gone wakes
//           the readers (they see the end of file).
// A wait may be cut short by a fatal signal (PipeWait.Sleep returns false): the call returns
// EINTR with what it had transferred so far.
//
// Invariants: 0 <= _count <= Capacity; the bytes queued are _buffer[(_head + k) % Capacity] for
// k < _count; _readers and _writers count the open ends and never grow after reaching 0 (no end
// can be reopened). Locking: the caller holds the VFS lock (the interrupt lock in the kernel),
// which PipeWait.Sleep lets go while sleeping.
using Kernel.Abi;

namespace Kernel.Vfs
{
    // Where a pipe's readers or writers sleep (the kernel: a scheduler wait queue).
    public abstract class PipeWait
    {
        // With the lock held: sleeps until WakeAll (or spuriously); false when the sleeper must
        // give up instead (a fatal signal is pending, or it is on its way out).
        public abstract bool Sleep();

        // With the lock held: wakes every sleeper.
        public abstract void WakeAll();
    }

    public sealed class Pipe
    {
        public const int Capacity = 4096;

        private readonly byte[] _buffer = new byte[Capacity];
        private readonly PipeWait _readWait, _writeWait;
        private int _head, _count;
        private int _readers = 1, _writers = 1;

        private Pipe(PipeWait readWait, PipeWait writeWait)
        {
            _readWait = readWait;
            _writeWait = writeWait;
        }

        public int Count => _count;
        public int Readers => _readers;
        public int Writers => _writers;

        // A new pipe and its two ends, each open once. Its waits must be distinct.
        public static Pipe Create(PipeWait readWait, PipeWait writeWait, out OpenFile reader, out OpenFile writer)
        {
            Pipe pipe = new Pipe(readWait, writeWait);
            PipeFs fs = new PipeFs();
            reader = new OpenFile(new PipeEnd(fs, pipe, false), "pipe:[read]", OpenFlags.Read);
            writer = new OpenFile(new PipeEnd(fs, pipe, true), "pipe:[write]", OpenFlags.Write);
            return pipe;
        }

        internal Errno Read(byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            if (count == 0) return Errno.None;
            while (_count == 0)
            {
                if (_writers == 0) return Errno.None;
                if (!_readWait.Sleep()) return Errno.EINTR;
            }
            int n = count < _count ? count : _count;
            for (int i = 0; i < n; i++) buffer[start + i] = _buffer[(_head + i) % Capacity];
            _head = (_head + n) % Capacity;
            _count -= n;
            read = n;
            if (_count == 0) _head = 0;
            _writeWait.WakeAll();
            return Errno.None;
        }

        internal Errno Write(byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            while (written < count)
            {
                if (_readers == 0) return Errno.EPIPE;
                int room = Capacity - _count;
                int left = count - written;
                // Up to Capacity bytes go in at once; more go in as room appears.
                if (room == 0 || (count <= Capacity && room < left))
                {
                    if (!_writeWait.Sleep()) return Errno.EINTR;
                    continue;
                }
                int n = left < room ? left : room;
                int tail = (_head + _count) % Capacity;
                for (int i = 0; i < n; i++) _buffer[(tail + i) % Capacity] = buffer[start + written + i];
                _count += n;
                written += n;
                _readWait.WakeAll();
            }
            return Errno.None;
        }

        internal void Closed(bool writer)
        {
            if (writer)
            {
                if (_writers > 0 && --_writers == 0) _readWait.WakeAll();
            }
            else if (_readers > 0 && --_readers == 0) _writeWait.WakeAll();
        }
    }

    // pipefs: the file system pipe inodes belong to (never mounted).
    internal sealed class PipeFs : FileSystem
    {
        private readonly Inode _root;
        public PipeFs() { _root = new PipeRoot(this); }
        public override string Type => "pipefs";
        public override Inode Root => _root;

        private sealed class PipeRoot : Inode
        {
            public PipeRoot(FileSystem fs) : base(fs, InodeKind.Directory, ModeDirectory) { }
        }
    }

    // One end of a pipe: the reader's inode reads, the writer's writes; each is opened once, by
    // Pipe.Create, so its Closed is that end's close.
    internal sealed class PipeEnd : Inode
    {
        private readonly Pipe _pipe;
        private readonly bool _writer;

        public PipeEnd(FileSystem fs, Pipe pipe, bool writer) : base(fs, InodeKind.Fifo, writer ? (ushort)0x80 : (ushort)0x100)
        {
            _pipe = pipe;
            _writer = writer;
        }

        public override ulong Size => (ulong)_pipe.Count;

        public override Errno Read(ulong offset, byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            return _writer ? Errno.EBADF : _pipe.Read(buffer, start, count, out read);
        }

        public override Errno Write(ulong offset, byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            return _writer ? _pipe.Write(buffer, start, count, out written) : Errno.EBADF;
        }

        public override Errno Truncate(ulong size) => Errno.EINVAL;

        public override void Closed() => _pipe.Closed(_writer);
    }
}
