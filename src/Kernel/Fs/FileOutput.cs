// A task's standard output redirected to a file (`cmd > file`, `cmd >> file`): Console.Write puts
// the bytes here instead of on the screen, and they reach the file in writes of up to 4 KiB — at
// the end of the command, when the buffer fills, or when the last task using it exits (stdio's
// full buffering). So `echo 5 > page_limit` stores "5\n" with one write, as in Linux.
//
// Shared by the shell and the tasks it starts (fork shares open files): References counts them;
// the last Release flushes and closes the file. The first failed write is kept in Error, later
// bytes are dropped, and the releaser reports it ("sh: write error: ...").
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
        private readonly byte[] _buffer = new byte[BufferSize];
        private int _used;
        private int _references = 1;
        private Errno _error;

        public FileOutput(OpenFile file, IrqLock irq)
        {
            _file = file;
            _irq = irq;
        }

        public Errno Error => _error;

        public void Put(byte b)
        {
            using (_irq.Hold())
            {
                if (_error != Errno.None) return;
                _buffer[_used++] = b;
                if (_used == BufferSize) FlushLocked();
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
            _used = 0;
            Errno e = _file.Write(_buffer, 0, count, out int written);
            if (e == Errno.None && written < count) e = Errno.ENOSPC;
            _error = e;
            return e;
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
