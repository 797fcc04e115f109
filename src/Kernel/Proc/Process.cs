// A process: what a task owns beyond its scheduling state (the rest of Linux's task_struct) —
// its address space, the program it runs, its memory container, its working directory, its
// standard input, output and error (null: the console) and the files it holds open. Every task but idle is a Process; kernel threads
// are Processes without an address space.
//
// Invariants: Container and Mm.Container are always equal (TaskContainers.Point sets both;
// fork copies both), so a page faulted in is charged to the task's container; Files are closed
// and Mm destroyed by Processes.Exit, before the task becomes a zombie.
// Only Processes and TaskContainers change these, with interrupts off; the shell changes its
// own Cwd, Stdin, Stdout and Stderr.
using Kernel.Collections;
using Kernel.Containers;
using Kernel.Fs;
using Kernel.Mm;
using Kernel.Sched;
using Kernel.Vfs;

namespace Kernel.Proc
{
    // A program's main function: returns the exit status.
    internal delegate int ProgramMain(string[] argv);

    internal sealed class Process : Task
    {
        internal AddressSpace Mm;             // null for kernel threads (and PID 1 until it needs one)
        internal ProgramMain Main;
        internal string[] Argv;
        internal Workqueue Workqueue;         // set for a workqueue's thread
        internal Container Container;         // null: in no container (charged to the root)
        internal string Cwd = "/";            // canonical absolute path
        internal FileInput Stdin;             // null: the console
        internal FileOutput Stdout;           // null: the console
        internal FileOutput Stderr;           // null: the console
        internal bool Killed;                 // ending by a fatal signal: its pipe waits give up
        internal int ScriptDepth;             // sh FILE nesting in this task (Commands/Script.cs)
        internal readonly Vector<OpenFile> Files = new Vector<OpenFile>(2);   // closed at exit

        internal Process(string name, TaskKind kind) : base(name, kind) { }
    }
}
