// A task's standard output or error sent to a file or a pipe (`cmd > file`, `cmd 2>> log`,
// `a | b`): Console.Write puts the bytes here instead of on the screen. To a file they go in
// writes of up to 4 KiB — at the end of the command, when the buffer fills, or when the last task
// using it exits (stdio's full buffering), so `echo 5 > page_limit` stores "5\n" with one write,
// as in Linux. To a pipe they go at each newline too (line buffering), so the reader sees lines
// as they are made.
//
// Shared by the shell and the tasks it starts (fork shares open files): References counts them;
// the last Release flushes and closes the file. The first failed write is kept in Error, later
// bytes are dropped, and the releaser reports it ("sh: write error: ..."); EPIPE (the pipe's
// reader is gone) is the writer's SIGPIPE, which Console raises.
// A write to a pipe may sleep (the pipe full) with the interrupt lock held, and a task sharing
// this output may run meanwhile: a flush takes the buffered bytes out first, so the buffer is
// free for the others while it waits.
// Invariants: 0 <= _used < BufferSize between calls. Every method takes the interrupt lock, so
// tasks sharing one output (a program and its forked children) never interleave inside it.
using Kernel.Sync;
using Kernel.Vfs;

namespace Kernel.Fs
{
    internal sealed class FileOutput
    {
        private const int BufferSize = 4096;

        private readonly OpenFile _file;
        private readonly IrqLock _irq;
        private readonly bool _lineBuffered;
        private readonly byte[] _buffer = new byte[BufferSize];
        private int _used;
        private int _references = 1;
        private Errno _error;

        public FileOutput(OpenFile file, IrqLock irq)
        {
            _file = file;
            _irq = irq;
            _lineBuffered = file.Inode.Kind == InodeKind.Fifo;
        }

        public Errno Error => _error;
        public bool IsPipe => _lineBuffered;

        public void Put(byte b)
        {
            using (_irq.Hold())
            {
                if (_error != Errno.None) return;
                _buffer[_used++] = b;
                if (_used == BufferSize || (_lineBuffered && b == '\n')) FlushLocked();
            }
        }

        public Errno Flush()
        {
            using (_irq.Hold()) return FlushLocked();
        }

        private Errno FlushLocked()
        {
            if (_used == 0 || _error != Errno.None) return _error;
            int count = _used;
            byte[] chunk = _buffer;
            if (_lineBuffered)
            {
                // The write may sleep: take the bytes out so that sharers can go on buffering.
                chunk = new byte[count];
                for (int i = 0; i < count; i++) chunk[i] = _buffer[i];
            }
            _used = 0;
            Errno e = _file.Write(chunk, 0, count, out int written);
            if (e == Errno.None && written < count) e = Errno.ENOSPC;
            if (_error == Errno.None) _error = e;
            return _error;
        }

        public void Retain()
        {
            using (_irq.Hold()) _references++;
        }

        // Drops one reference; the last one flushes and closes. Returns the first write error.
        public Errno Release()
        {
            using (_irq.Hold())
            {
                if (--_references > 0) return Errno.None;
                Errno e = FlushLocked();
                _file.Close();
                return e;
            }
        }
    }
}
