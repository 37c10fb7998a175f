/*
 * python_jni.c: a library linked against a libpython, as the JNI libraries of
 * JPype (_jpype.so) and JEP (libjep.so) are, for the isolation tests: loaded
 * with System.load into a class loader, it brings that libpython into the
 * loader's symbol lookup (SymbolLookup.loaderLookup searches each library of
 * the loader with its dependencies). It is linked against a stub that has
 * only libpython's name (python_stub.c); run, it finds the real libpython
 * through LD_LIBRARY_PATH.
 */
int Py_IsInitialized(void);

int
cpylock_test_python_is_initialized(void)
{
    return Py_IsInitialized();
}
