// What the text tools (TextTools.cs) need from the system, so that they run the same in the
// kernel (files through the VFS, standard input from a pipe, a file or the console) and in host
// tests (byte arrays): sources of bytes, sinks for tee, standard output and standard error.
// Bytes are text as Latin-1 (one char per byte), as everywhere in this shell.
// LineReader splits a source into lines: a line is what precedes a '\n'; a last line without
// one is still a line (Terminated false). It reads in 4 KiB pieces and holds one line at a time,
// of at most MaxLine chars: a longer one comes in pieces (each but the last not Terminated), so
// an endless line (grep x < /dev/zero) costs bounded memory, never the kernel heap.
using Kernel.Abi;

namespace Kernel.Shell
{
    public abstract class ByteSource
    {
        // Up to count bytes; 0 at the end. EINTR: the reader was interrupted (Ctrl-C at a console).
        public abstract Errno Read(byte[] buffer, int start, int count, out int read);
        public abstract void Close();
    }

    public abstract class ByteSink
    {
        public abstract Errno Write(byte[] buffer, int start, int count);
        // The first error of the writes (or of the close's flush).
        public abstract Errno Close();
    }

    public abstract class ToolIo
    {
        // A file opened for reading ("-" is not special here: the tools treat it).
        public abstract Errno Open(string path, out ByteSource source);
        // A file opened for writing (created; truncated unless append).
        public abstract Errno Create(string path, bool append, out ByteSink sink);
        // The standard input (tools never close it).
        public abstract ByteSource Stdin { get; }
        public abstract void Write(string text);
        public abstract void Error(string line);
    }

    public sealed class LineReader
    {
        public const int MaxLine = 64 * 1024;
        private readonly ByteSource _source;
        private readonly byte[] _buffer = new byte[4096];
        private int _position, _length;
        private bool _end;
        private char[] _line = new char[128];

        public LineReader(ByteSource source) { _source = source; }

        public Errno Error { get; private set; }
        public bool Terminated { get; private set; }

        // The next line without its '\n'; false at the end or on an error (Error then says which).
        public bool Next(out string line)
        {
            line = null;
            int n = 0;
            while (true)
            {
                if (_position == _length)
                {
                    if (_end || Error != Errno.None) break;
                    Errno e = _source.Read(_buffer, 0, _buffer.Length, out int read);
                    if (e != Errno.None) { Error = e; break; }
                    if (read == 0) { _end = true; break; }
                    _position = 0;
                    _length = read;
                }
                byte b = _buffer[_position++];
                if (b == '\n')
                {
                    Terminated = true;
                    line = new string(_line, 0, n);
                    return true;
                }
                if (n == MaxLine)
                {
                    _position--;   // the byte starts the next piece
                    Terminated = false;
                    line = new string(_line, 0, n);
                    return true;
                }
                if (n == _line.Length)
                {
                    char[] bigger = new char[_line.Length * 2];
                    for (int i = 0; i < n; i++) bigger[i] = _line[i];
                    _line = bigger;
                }
                _line[n++] = (char)b;
            }
            if (n == 0 || Error != Errno.None) return false;
            Terminated = false;
            line = new string(_line, 0, n);
            return true;
        }
    }
}
