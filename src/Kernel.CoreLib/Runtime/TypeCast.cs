// Type checks that ILC's generated code calls for `is`, `as`, casts and stores into object arrays.
// Rules (no variance, no IDynamicInterfaceCastable): a class matches its own MethodTable or any
// base; an interface matches when it appears in the object's interface list (ILC lists inherited
// interfaces there too); arrays match identical array types, or reference-element arrays whose
// element type matches the target's element type.
using System.Runtime;
using Internal.Runtime.CompilerHelpers;

namespace System.Runtime
{
    using Internal.Runtime;

    internal static unsafe class TypeCast
    {
        internal static MethodTable* TypeOf(object obj) => obj.m_pMethodTable;

        private static bool IsClassOf(MethodTable* target, MethodTable* mt)
        {
            if (mt->IsArray)
                // Arrays derive from System.Array, which derives from Object (the class with no base).
                return target->ElementType == MethodTable.ElementTypeSystemArray || (target->_relatedType == null && !target->IsInterface);
            for (; mt != null; mt = mt->_relatedType)
                if (mt == target) return true;
            return false;
        }

        private static bool ImplementsInterface(MethodTable* target, MethodTable* mt)
        {
            MethodTable** interfaces = mt->Interfaces;
            for (int i = 0; i < mt->NumInterfaces; i++)
                if (interfaces[i] == target) return true;
            return false;
        }

        internal static bool IsAssignable(MethodTable* target, MethodTable* mt)
        {
            if (mt == target) return true;
            if (target->IsInterface) return ImplementsInterface(target, mt);
            if (target->IsArray)
            {
                if (!mt->IsArray || mt->ElementType != target->ElementType) return false;
                MethodTable* from = mt->_relatedType, to = target->_relatedType;
                if (from == to) return true;
                // Covariance for reference elements only.
                return !IsValueType(from) && !IsValueType(to) && IsAssignable(to, from);
            }
            return IsClassOf(target, mt);
        }

        private static bool IsValueType(MethodTable* mt)
        {
            uint e = mt->ElementType;
            return e != 0 && e < 0x12; // primitives, ValueType, Nullable
        }

        private static object IsInstanceOfClass(MethodTable* target, object obj) =>
            obj == null || IsClassOf(target, TypeOf(obj)) ? obj : null;

        private static object IsInstanceOfInterface(MethodTable* target, object obj) =>
            obj == null || ImplementsInterface(target, TypeOf(obj)) ? obj : null;

        private static object IsInstanceOfAny(MethodTable* target, object obj) =>
            obj == null || IsAssignable(target, TypeOf(obj)) ? obj : null;

        private static bool IsInstanceOfException(MethodTable* target, object obj) =>
            obj != null && IsAssignable(target, TypeOf(obj));

        private static object CheckCastClass(MethodTable* target, object obj)
        {
            if (obj != null && !IsClassOf(target, TypeOf(obj))) ThrowHelpers.ThrowInvalidCastException();
            return obj;
        }

        private static object CheckCastClassSpecial(MethodTable* target, object obj) => CheckCastAny(target, obj);

        private static object CheckCastInterface(MethodTable* target, object obj)
        {
            if (obj != null && !ImplementsInterface(target, TypeOf(obj))) ThrowHelpers.ThrowInvalidCastException();
            return obj;
        }

        private static object CheckCastAny(MethodTable* target, object obj)
        {
            if (obj != null && !IsAssignable(target, TypeOf(obj))) ThrowHelpers.ThrowInvalidCastException();
            return obj;
        }

        private static object* ElementAddress(object[] array, nint index)
        {
            if ((nuint)index >= (nuint)(uint)array.Length) ThrowHelpers.ThrowIndexOutOfRangeException();
            byte* data = *(byte**)&array + 16;
            return (object*)(data + index * 8);
        }

        private static void StelemRef(object[] array, nint index, object value)
        {
            if (array == null) ThrowHelpers.ThrowNullReferenceException();
            object* slot = ElementAddress(array, index);
            if (value != null)
            {
                MethodTable* element = TypeOf(array)->_relatedType;
                if (TypeOf(value) != element && !IsAssignable(element, TypeOf(value)))
                    ThrowHelpers.ThrowArrayTypeMismatchException();
            }
            *slot = value;
        }

        private static ref object LdelemaRef(object[] array, nint index, MethodTable* elementType)
        {
            if (array == null) ThrowHelpers.ThrowNullReferenceException();
            object* slot = ElementAddress(array, index);
            if (elementType != TypeOf(array)->_relatedType) ThrowHelpers.ThrowArrayTypeMismatchException();
            return ref *slot;
        }

        [RuntimeExport("RhBox")]
        private static object Box(MethodTable* type, ref byte data)
        {
            object box = Heap.AllocateObject(type);
            byte* dst = *(byte**)&box + 8;
            fixed (byte* src = &data)
                for (uint i = 0; i < type->_uBaseSize - 16; i++) dst[i] = src[i];
            return box;
        }

        [RuntimeExport("RhUnbox2")]
        private static ref byte Unbox(MethodTable* type, object obj)
        {
            if (obj == null) ThrowHelpers.ThrowNullReferenceException();
            if (TypeOf(obj) != type) ThrowHelpers.ThrowInvalidCastException();
            return ref *(*(byte**)&obj + 8);
        }
    }
}
