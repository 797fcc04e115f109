// gc: collect now and report; `gc debug on|off` switches poisoning and heap verification; gctest
// and `bench gc` exercise the collector from the shell.
using Internal.Runtime;
using Internal.Runtime.Gc;
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Runtime;

namespace Kernel.Commands
{
    internal static class GcCommands
    {
        public static int Gc(string[] argv, int argc)
        {
            if (argc == 3 && argv[1] == "debug" && (argv[2] == "on" || argv[2] == "off"))
            {
                Collector.Debug = argv[2] == "on";
                Console.WriteLine(string.Concat("gc: debug ", Collector.Debug ? "on (freed memory poisoned, heap verified after each collection)" : "off"));
                return 0;
            }
            if (argc == 2 && argv[1] == "debug")
            {
                Console.WriteLine(string.Concat("gc: debug ", Collector.Debug ? "on" : "off"));
                return 0;
            }
            if (argc != 1)
            {
                Console.WriteLine("usage: gc [debug [on|off]]");
                return 2;
            }
            Collector.Collect();
            Console.WriteLine(string.Concat("gc: collections=", GcHeap.Collections.ToString(), " live=", ((ulong)GcHeap.LiveBytes).ToString(),
                string.Concat(" freed=", ((ulong)Collector.LastFreedBytes).ToString(), " pause_us=", Collector.LastPauseMicroseconds.ToString())));
            return 0;
        }

        private sealed class Node
        {
            public Node Next;
            public int Value;
            public byte[] Payload;
        }

        private static Node s_kept;

        // gctest [MiB]: allocates MiB (default: ten times the heap's trigger size) in short-lived
        // objects while keeping a few alive from a static, a local and an array, then checks them.
        public static int GcTest(string[] argv, int argc)
        {
            ulong mib = (ulong)(Heap.Trigger >> 20) * 10;
            if (argc == 2)
            {
                if (Kernel.Shell.Numbers.TryParseInt(argv[1], out int n) != Kernel.Shell.ParseStatus.Ok || n <= 0 || n > 1 << 20)
                {
                    Console.WriteLine("usage: gctest [MiB]");
                    return 2;
                }
                mib = (ulong)n;
            }
            ulong before = Collector.Collections;
            s_kept = new Node { Value = 1234 };
            Node local = new Node { Value = 5678, Payload = new byte[3000] };
            Node[] table = new Node[64];
            for (int i = 0; i < table.Length; i++) table[i] = new Node { Value = i };
            ulong bytes = 0;
            int round = 0;
            while (bytes < mib << 20)
            {
                Node garbage = new Node { Value = round, Payload = new byte[(round % 7) * 100 + 16] };
                garbage.Next = new Node { Value = -round };
                bytes += (ulong)(64 + garbage.Payload.Length + 48);
                if ((round & 1023) == 0) table[round / 1024 % table.Length] = new Node { Value = round / 1024 % table.Length };
                round++;
            }
            bool ok = s_kept.Value == 1234 && local.Value == 5678 && local.Payload.Length == 3000;
            for (int i = 0; i < table.Length; i++) ok &= table[i].Value == i;
            ulong collections = Collector.Collections - before;
            Console.WriteLine(string.Concat("gctest: ", (bytes >> 20).ToString(), " MiB in ", round.ToString(), " rounds, ",
                string.Concat(collections.ToString(), " collections, live=", ((ulong)GcHeap.LiveBytes).ToString(), ok ? ": ok" : ": FAILED")));
            return ok ? 0 : 1;
        }

        private sealed class Small
        {
            public long A, B;
        }

        // bench gc: allocation rate of 32-byte objects, and the pause for a 16 MiB live heap, in
        // the collector's current mode (named in the output: debug verifies the heap each time).
        public static int Bench(string[] argv, int argc)
        {
            string mode = Collector.Debug ? " (gc debug on)" : " (gc debug off)";
            Collector.Collect();
            const int Count = 200000;
            ulong start = Tsc.Now;
            Small last = null;
            for (int i = 0; i < Count; i++) last = new Small { A = i };
            ulong cycles = Tsc.Now - start;
            ulong perSecond = cycles == 0 ? 0 : (ulong)Count * Tsc.CyclesPerMs * 1000 / cycles;
            Console.WriteLine(string.Concat("bench gc: ", perSecond.ToString(), " allocations/s of 32-byte objects (",
                Count.ToString(), string.Concat(" in ", Tsc.ToMicroseconds(cycles).ToString(), " us)", mode)));

            // 16 MiB live: 16384 arrays of 1 KiB, reachable from one array.
            byte[][] live = new byte[16384][];
            for (int i = 0; i < live.Length; i++) live[i] = new byte[1024 - 24];
            Collector.Collect();
            Console.WriteLine(string.Concat("bench gc: pause ", Collector.LastPauseMicroseconds.ToString(), " us with ",
                ((ulong)GcHeap.LiveBytes >> 20).ToString(), string.Concat(" MiB live", mode)));
            live = null;
            Collector.Collect();
            return last.A == Count - 1 ? 0 : 1;
        }
    }
}
