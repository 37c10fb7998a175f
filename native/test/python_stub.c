/*
 * python_stub.c: a library with a libpython's name (soname) and nothing but
 * the function python_jni.c calls, to link that library against without a
 * real interpreter at build time. It is never loaded: at run time the real
 * libpython of that name is found instead.
 */
int
Py_IsInitialized(void)
{
    return 0;
}
