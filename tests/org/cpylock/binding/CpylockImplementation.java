package org.cpylock.binding;

import org.cpylock.CPython;
import org.cpylock.Flavour;
import org.cpylock.LockFlag;
import org.cpylock.LockStatus;
import org.cpylock.PyEvent;
import org.cpylock.PyMutex;
import org.cpylock.tck.Event;
import org.cpylock.tck.Implementation;
import org.cpylock.tck.Mutex;

import java.time.Duration;

/** The conformance suite's view of cpylock's facade, in whichever flavour this JVM loaded. */
public final class CpylockImplementation implements Implementation {
    @Override
    public String name() {
        return "cpylock " + CPython.flavour().id();
    }

    @Override
    public boolean freeThreaded() {
        return CPython.flavour() == Flavour.FREE_THREADED;
    }

    @Override
    public Mutex newMutex() {
        return new MutexAdapter(new PyMutex());
    }

    @Override
    public Event newEvent() {
        return new EventAdapter(new PyEvent());
    }

    private record MutexAdapter(PyMutex mutex) implements Mutex {
        @Override
        public void lock() {
            mutex.lock();
        }

        @Override
        public void unlock() {
            mutex.unlock();
        }

        @Override
        public boolean tryLock() {
            return mutex.tryLock();
        }

        @Override
        public LockStatus lockTimed(Duration timeout, LockFlag... flags) {
            return mutex.lockTimed(timeout, flags);
        }

        @Override
        public boolean isLocked() {
            return mutex.isLocked();
        }

        @Override
        public int bits() {
            return mutex.bits();
        }
    }

    private record EventAdapter(PyEvent event) implements Event {
        @Override
        public void set() {
            event.set();
        }

        @Override
        public boolean isSet() {
            return event.isSet();
        }

        @Override
        public void await() {
            event.await();
        }

        @Override
        public boolean await(Duration timeout) {
            return event.await(timeout);
        }

        @Override
        public int bits() {
            return event.bits();
        }
    }
}
