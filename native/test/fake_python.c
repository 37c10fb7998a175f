/*
 * fake_python.c: a library that says it is CPython 3.12.5 (Py_Version) and
 * has nothing else, for the test that cpylock's interpreter backend refuses
 * an interpreter other than 3.13 before it calls anything (BindingRefusals).
 */
const unsigned long Py_Version = 0x030C05F0;
