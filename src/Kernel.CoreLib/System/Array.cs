// Arrays: MethodTable*, int32 length at +8 (padded to 16 on x64), then the elements. ILC computes
// element layout itself; Array<T> is the base ILC gives every T[] so generic interfaces can hang there.
using System.Collections;
using System.Collections.Generic;

namespace System
{
    public abstract class Array
    {
        private int _numComponents;
        public int Length => _numComponents;
    }

    public class Array<T> : Array { }
}

namespace System.Collections
{
    public interface IEnumerable { IEnumerator GetEnumerator(); }
    public interface IEnumerator { bool MoveNext(); object Current { get; } void Reset(); }
}

namespace System.Collections.Generic
{
    public interface IEnumerable<out T> : IEnumerable { new IEnumerator<T> GetEnumerator(); }
    public interface IEnumerator<out T> : IEnumerator, IDisposable { new T Current { get; } }
}
