// A task's standard output redirected to a file (`cmd > file`, `cmd >> file`): Console.Write puts
// the bytes here instead of on the screen, and they reach the file in writes of up to 4 KiB — at
// the end of the command, when the buffer fills, or when the last task using it exits (stdio's
// full buffering). So `echo 5 > page_limit` stores "5\n" with one write, as in Linux.
//
// Shared by the shell and the tasks it starts (fork shares open files): References counts them;
// the last Release flushes and closes the file. The first failed write is kept in Error, later
// bytes are dropped, and the releaser reports it ("sh: write error: ...").
using Kernel.Abi;
using Kernel.Arch;
using Kernel.Vfs;

namespace Kernel.Fs
{
    internal sealed class FileOutput
    {
        private const int BufferSize = 4096;

        private readonly OpenFile _file;
        private readonly byte[] _buffer = new byte[BufferSize];
        private int _used;
        private int _references = 1;
        private Errno _error;

        public FileOutput(OpenFile file) { _file = file; }

        public Errno Error => _error;

        public void Put(byte b)
        {
            if (_error != Errno.None) return;
            _buffer[_used++] = b;
            if (_used == BufferSize) Flush();
        }

        public Errno Flush()
        {
            if (_used == 0 || _error != Errno.None) return _error;
            int count = _used;
            _used = 0;
            Errno e = FileSystems.Write(_file, _buffer, 0, count, out int written);
            if (e == Errno.None && written < count) e = Errno.ENOSPC;
            _error = e;
            return e;
        }

        public void Retain()
        {
            IrqLock.Enter();
            _references++;
            IrqLock.Exit();
        }

        // Drops one reference; the last one flushes and closes. Returns the first write error.
        public Errno Release()
        {
            IrqLock.Enter();
            int left = --_references;
            IrqLock.Exit();
            if (left > 0) return Errno.None;
            Errno e = Flush();
            FileSystems.Close(_file);
            return e;
        }
    }
}
