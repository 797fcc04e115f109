// Runs parsed lines (Shell/CommandLine.cs) the way busybox ash does, for what this shell
// supports: lists (`;`, `&`), and-or lists (`&&`, `||`), pipelines (`|`, `!`), $? $$ $!, globs,
// and the redirections n>, n>>, <, 2>&1, >&2, applied left to right. One Interpreter per shell:
// PID 1's, one per `sh FILE` (its $? starts at 0 and is its own), one per subshell of a
// background and-or list, one per `watch` round.
//
// How a pipeline runs:
//  - One command in the foreground: a built-in runs inside the current task (with its streams
//    swapped for the redirections' and put back after); a program or process command runs in a
//    child that the shell waits for.
//  - Several commands, or `&`: every command runs in a child of its own, built-ins too (so both
//    sides of a pipe run at once), joined by pipes (Fs/Pipes.cs). The children are started last
//    to first, so a reader is running before its writer (`memhog 10 | head -n 0`: head has left
//    when memhog writes, which ends memhog by SIGPIPE, status 141). The shell keeps no pipe end
//    once the children hold theirs, so the end of file and EPIPE come when they should. The
//    status is the last command's (with `set -o pipefail`: the last non-zero one), inverted by !.
//    Ctrl-C interrupts every process of the foreground pipeline (Jobs.WaitAll).
//  - `&` on a pipeline makes one job of its processes (stdin at its end unless redirected, as sh
//    gives a background job /dev/null); on an and-or list of several pipelines (`a && b &`) the
//    list runs in a subshell task, which is the job.
// Errors are ash's: `sh: can't create F: ...`, `sh: can't open F: ...`, `sh: NAME: not found`
// (status 127); a syntax error is printed and sets $? to 2. Nothing typed may panic the kernel.
using Kernel.Drivers;
using Kernel.Fs;
using Kernel.Proc;
using Kernel.Shell;
using Kernel.Vfs;

namespace Kernel.Commands
{
    // The file tree as pathname expansion sees it.
    internal sealed class VfsGlobTree : GlobTree
    {
        public override bool TryList(string path, out string[] names)
        {
            names = null;
            if (Sys.Files.Resolve(path.Length == 0 ? "." : path, out Inode dir, out string _) != Errno.None || !dir.IsDirectory) return false;
            Sys.Files.Snapshot(dir, out names, out Inode[] _);
            return true;
        }

        public override bool Exists(string path) => Sys.Files.Resolve(path, out Inode _, out string _) == Errno.None;
    }

    internal sealed class Interpreter
    {
        private readonly ShellParameters _parameters = new ShellParameters();
        private readonly GlobTree _tree = new VfsGlobTree();
        private bool _pipefail;

        public Interpreter()
        {
            _parameters.ShellPid = Sys.Processes.Current.Pid;
        }

        public int LastStatus => _parameters.LastStatus;

        // Runs one line; returns $? after it.
        public int RunLine(string line)
        {
            ParsedLine parsed = CommandLine.Parse(line);
            if (!parsed.Ok)
            {
                Console.Error(parsed.Error);
                _parameters.LastStatus = 2;
                return 2;
            }
            for (int i = 0; i < parsed.Items.Length; i++) RunItem(parsed.Items[i]);
            return _parameters.LastStatus;
        }

        private void RunItem(AndOr item)
        {
            if (item.Background)
            {
                if (item.Pipelines.Length == 1) RunPipeline(item.Pipelines[0], true);
                else RunSubshell(item);
                return;
            }
            RunAndOr(item);
        }

        private void RunAndOr(AndOr item)
        {
            int status = RunPipeline(item.Pipelines[0], false);
            _parameters.LastStatus = status;
            for (int i = 1; i < item.Pipelines.Length; i++)
            {
                bool and = item.Connectors[i - 1] == Connector.And;
                if (and ? status != 0 : status == 0) continue;
                status = RunPipeline(item.Pipelines[i], false);
                _parameters.LastStatus = status;
            }
        }

        // `a && b &`: the list in a task of its own, with its own interpreter.
        private void RunSubshell(AndOr item)
        {
            AndOr copy = new AndOr();
            copy.Pipelines = item.Pipelines;
            copy.Connectors = item.Connectors;
            int lastStatus = _parameters.LastStatus, shellPid = _parameters.ShellPid;
            bool pipefail = _pipefail;
            Streams streams = Jobs.Own();
            streams.In = FileInput.Empty(Sys.Irq);
            int pid = Jobs.Start("sh", a =>
            {
                Interpreter sub = new Interpreter();
                sub._parameters.LastStatus = lastStatus;
                sub._parameters.ShellPid = shellPid;   // $$ in a subshell is the shell's, as in sh
                sub._pipefail = pipefail;
                sub.RunAndOr(copy);
                return sub._parameters.LastStatus;
            }, new string[] { "sh" }, streams);
            streams.In.Release();
            if (pid == 0)
            {
                _parameters.LastStatus = 1;
                return;
            }
            Jobs.AddJob(new int[] { pid }, Describe(item));
            _parameters.LastBackgroundPid = pid;
            _parameters.LastStatus = 0;
        }

        // ---- Pipelines ----------------------------------------------------------------------

        private int RunPipeline(Pipeline pipeline, bool background)
        {
            int status = pipeline.Commands.Length == 1 && !background
                ? RunSimple(pipeline.Commands[0])
                : RunChildren(pipeline, background);
            if (pipeline.Negated) status = status == 0 ? 1 : 0;
            return status;
        }

        private int RunChildren(Pipeline pipeline, bool background)
        {
            SimpleCommand[] commands = pipeline.Commands;
            int n = commands.Length;
            int[] pids = new int[n];
            int[] statuses = new int[n];
            // The pipes first (readers[i] feeds command i + 1), then the children, last to first.
            FileInput[] readers = new FileInput[n];
            FileOutput[] writers = new FileOutput[n];
            for (int i = 0; i < n - 1; i++) Pipes.Create(Sys.Processes, Sys.Irq, out readers[i], out writers[i]);
            Streams own = Jobs.Own();
            FileInput empty = background ? FileInput.Empty(Sys.Irq) : null;
            bool forkFailed = false;
            for (int i = n - 1; i >= 0; i--)
            {
                if (forkFailed)
                {
                    // As ash: a pipeline whose fork failed starts nothing more (its pipes close).
                    statuses[i] = 1;
                    if (i < n - 1) ReleaseOutput(writers[i]);
                    if (i > 0) readers[i - 1].Release();
                    continue;
                }
                Streams s = new Streams();
                s.In = i > 0 ? readers[i - 1] : background ? empty : own.In;
                s.Out = i < n - 1 ? writers[i] : own.Out;
                s.Err = own.Err;
                Hold(s);
                pids[i] = StartChild(commands[i], ref s, out statuses[i], out forkFailed);
                Drop(s);
                // The shell's own pipe ends go once their child has them (or could not start).
                if (i < n - 1) ReleaseOutput(writers[i]);
                if (i > 0) readers[i - 1].Release();
            }
            if (empty != null) empty.Release();
            if (background)
            {
                Jobs.AddJob(pids, Describe(pipeline));
                int last = 0;
                for (int i = 0; i < n; i++) if (pids[i] != 0) last = pids[i];
                if (last != 0) _parameters.LastBackgroundPid = last;
                return 0;
            }
            Jobs.WaitAll(pids, statuses);
            if (forkFailed) return 1;   // what did start has run to its end; the pipeline failed
            int status = statuses[n - 1];
            if (_pipefail)
                for (int i = 0; i < n; i++) if (statuses[i] != 0) status = statuses[i];
            return status;
        }

        // One command of a pipeline in a child task of its own. 0 when none was started (its
        // status then says why: 127 not found, 1 a redirection or the fork failed, 0 nothing to run).
        private int StartChild(SimpleCommand command, ref Streams s, out int status, out bool forkFailed)
        {
            status = 0;
            forkFailed = false;
            string[] argv = Expansion.Words(command.Words, _parameters, _tree);
            if (!Redirect(command.Redirections, ref s))
            {
                status = 1;
                return 0;
            }
            if (argv.Length == 0) return 0;
            ProgramMain main = Resolve(argv);
            if (main == null)
            {
                WriteError(s, string.Concat("sh: ", argv[0], ": not found"));
                status = 127;
                return 0;
            }
            int pid = Jobs.Start(Text.Words(argv), main, argv, s);
            if (pid == 0)
            {
                status = 1;
                forkFailed = true;
            }
            return pid;
        }

        // What runs argv as a process: a program, or any built-in (null: not found).
        private ProgramMain Resolve(string[] argv)
        {
            if (argv[0] == "set")
            {
                bool pipefail = _pipefail;   // a copy: a child's set changes nothing here (a subshell)
                return a => SetOptions(a, ref pipefail);
            }
            Command command = Shell.Find(argv[0]);
            if (command != null) return Jobs.AsMain(command);
            ProgramInfo program = Programs.Find(argv[0]);
            return program == null ? null : program.Main;
        }

        // ---- One command in the foreground --------------------------------------------------

        private int RunSimple(SimpleCommand command)
        {
            string[] argv = Expansion.Words(command.Words, _parameters, _tree);
            Streams s = Jobs.Own();
            Hold(s);
            int status;
            if (!Redirect(command.Redirections, ref s)) status = 1;
            else if (argv.Length == 0) status = 0;
            else status = Dispatch(argv, s);
            if (!Drop(s) && status == 0) status = 1;
            return status;
        }

        private int Dispatch(string[] argv, Streams s)
        {
            if (argv[0] == "set") return SetOptions(argv, ref _pipefail);
            Command command = Shell.Find(argv[0]);
            ProgramInfo program = command == null ? Programs.Find(argv[0]) : null;
            if (program != null || (command != null && command.Process))
            {
                ProgramMain main = program != null ? program.Main : Jobs.AsMain(command);
                int pid = Jobs.Start(Text.Words(argv), main, argv, s);
                if (pid == 0) return 1;
                int[] statuses = new int[1];
                Jobs.WaitAll(new int[] { pid }, statuses);
                return statuses[0];
            }
            if (command == null)
            {
                WriteError(s, string.Concat("sh: ", argv[0], ": not found"));
                return 127;
            }
            // A built-in inside this task, with the line's streams for the time it runs.
            Process self = Sys.Processes.Current;
            Streams saved = Jobs.Own();
            self.Stdin = s.In;
            self.Stdout = s.Out;
            self.Stderr = s.Err;
            int status = command.Run(argv, argv.Length);
            self.Stdin = saved.In;
            self.Stdout = saved.Out;
            self.Stderr = saved.Err;
            return status;
        }

        // set -o pipefail / set +o pipefail; `set -o` lists the options.
        private static int SetOptions(string[] argv, ref bool pipefail)
        {
            if (argv.Length == 1 || (argv.Length == 2 && argv[1] == "-o"))
            {
                Console.WriteLine(string.Concat("pipefail       ", pipefail ? "on" : "off"));
                return 0;
            }
            if (argv.Length == 3 && (argv[1] == "-o" || argv[1] == "+o") && argv[2] == "pipefail")
            {
                pipefail = argv[1] == "-o";
                return 0;
            }
            if (argv.Length >= 3 && (argv[1] == "-o" || argv[1] == "+o"))
                Console.Error(string.Concat("sh: set: ", argv[2], ": invalid option name (only pipefail is supported)"));
            else Console.Error(string.Concat("sh: set: ", argv[1], ": invalid option (only -o pipefail is supported)"));
            return 2;
        }

        // ---- Redirections -------------------------------------------------------------------

        // Applies redirections left to right to s (whose streams are held: a replaced one is
        // released). False after saying why one failed.
        private bool Redirect(Redirection[] redirections, ref Streams s)
        {
            for (int i = 0; i < redirections.Length; i++)
            {
                Redirection r = redirections[i];
                if (r.Kind == RedirectionKind.Duplicate)
                {
                    FileOutput source = r.SourceFd == 1 ? s.Out : s.Err;
                    if (source != null) source.Retain();
                    if (r.Fd == 1) { ReleaseOutput(s.Out); s.Out = source; }
                    else { ReleaseOutput(s.Err); s.Err = source; }
                    continue;
                }
                string path = Expansion.Text(r.Target, _parameters);
                if (r.Kind == RedirectionKind.Read)
                {
                    Errno e = Sys.Files.Open(path, OpenFlags.Read, out OpenFile file);
                    if (e != Errno.None)
                    {
                        WriteError(s, string.Concat("sh: can't open ", path, ": ", ErrnoText.Message(e)));
                        return false;
                    }
                    if (s.In != null) s.In.Release();
                    s.In = new FileInput(file, Sys.Irq);
                    continue;
                }
                // > truncates or creates, >> appends; the output reaches the file in one write at
                // the end (or per 4 KiB), so a configfs attribute gets one store.
                OpenFlags flags = OpenFlags.Write | OpenFlags.Create | (r.Kind == RedirectionKind.Append ? OpenFlags.Append : OpenFlags.Truncate);
                Errno o = Sys.Files.Open(path, flags, out OpenFile output);
                if (o != Errno.None)
                {
                    WriteError(s, string.Concat("sh: can't create ", path, ": ", ErrnoText.Message(o)));
                    return false;
                }
                FileOutput f = new FileOutput(output, Sys.Irq);
                if (r.Fd == 1) { ReleaseOutput(s.Out); s.Out = f; }
                else { ReleaseOutput(s.Err); s.Err = f; }
            }
            return true;
        }

        // An error message to the stderr of streams s (which may differ from the task's own).
        private static void WriteError(Streams s, string message)
        {
            Process self = Sys.Processes.Current;
            FileOutput saved = self.Stderr;
            self.Stderr = s.Err;
            Console.Error(message);
            self.Stderr = saved;
        }

        // Takes a reference on each stream of s.
        private static void Hold(Streams s)
        {
            if (s.In != null) s.In.Retain();
            if (s.Out != null) s.Out.Retain();
            if (s.Err != null) s.Err.Retain();
        }

        // Drops the references Hold took; false when a last release found a write error (said).
        private static bool Drop(Streams s)
        {
            if (s.In != null) s.In.Release();
            bool ok = ReleaseOutput(s.Out);
            return ReleaseOutput(s.Err) && ok;
        }

        private static bool ReleaseOutput(FileOutput output)
        {
            if (output == null) return true;
            Errno e = output.Release();
            if (e == Errno.None || e == Errno.EPIPE) return e == Errno.None;
            Console.Error(string.Concat("sh: write error: ", ErrnoText.Message(e)));
            return false;
        }

        // ---- Names for ps and jobs ----------------------------------------------------------

        private static string Describe(SimpleCommand c)
        {
            string s = "";
            for (int i = 0; i < c.Words.Length; i++) s = i == 0 ? c.Words[i].Source : string.Concat(s, " ", c.Words[i].Source);
            return s;
        }

        private static string Describe(Pipeline p)
        {
            string s = p.Negated ? "! " : "";
            for (int i = 0; i < p.Commands.Length; i++) s = string.Concat(s, i == 0 ? "" : " | ", Describe(p.Commands[i]));
            return s;
        }

        private static string Describe(AndOr a)
        {
            string s = Describe(a.Pipelines[0]);
            for (int i = 1; i < a.Pipelines.Length; i++)
                s = string.Concat(s, a.Connectors[i - 1] == Connector.And ? " && " : " || ", Describe(a.Pipelines[i]));
            return s;
        }
    }
}
