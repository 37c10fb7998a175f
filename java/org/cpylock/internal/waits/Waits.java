package org.cpylock.internal.waits;

import org.cpylock.Wait;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The waits in progress inside cpylock, and counters of how waits end: what
 * {@link org.cpylock.CPython#waits()}, the {@code org.cpylock:type=Waits}
 * MBean, the primitives' {@code toString()} and the {@code org.cpylock.Wait}
 * JFR event report.
 *
 * <p>Only slow paths come here (a fast path never waits): a wait calls
 * {@link #begin} before its native call and {@link #end} after it. That costs
 * a small object, a write to the thread's own slot, a timestamp and a count
 * (per primitive, in a {@code LongAdder}); the JFR event is committed only when JFR
 * records it and the wait passed its threshold. A thread has at most one
 * wait in progress at a time, except inside an upcall that waits in turn
 * (a once-flag action, say): the inner wait hides the outer until it ends.
 *
 * <p>It also counts the carriers that virtual threads' native waits pin: a
 * wait begun with {@link #begin} pins for its whole length, one begun with
 * {@link #beginInJava} only between {@link #tryPin} and {@link #unpin}, and
 * {@code tryPin} refuses the last carrier (see
 * {@link org.cpylock.internal.VirtualThreadWaits}). Pinned time is counted
 * per primitive.
 */
public final class Waits {
    /** How a wait ended. */
    public enum Outcome {
        ACQUIRED("acquired"), TIMED_OUT("timed out"), INTERRUPTED("interrupted"), SET("set"), WOKEN("woken"),
        AGAIN("again");

        private final String text;

        Outcome(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** One wait in progress. */
    public static final class Token {
        final Thread thread = Thread.currentThread();
        final String primitive;
        final long address;
        final LongSupplier state;
        final Set<String> flags;
        final boolean detached;
        final long start = System.nanoTime();
        final long stateBefore;
        final WaitEvent event = new WaitEvent();
        Slot slot;
        Token hidden;
        boolean cancelled;
        /** Whether the waiting thread is a virtual one. */
        public boolean isVirtual() {
            return thread.isVirtual();
        }

        /** When a virtual thread's wait in native code began (it pins the carrier), while it lasts; else 0. */
        long pinnedSince;
        /** The time this wait's native parts pinned the carrier, so far. */
        long pinnedNanos;

        private Token(String primitive, long address, LongSupplier state, boolean detached, Set<String> flags) {
            this.primitive = primitive;
            this.address = address;
            this.state = state;
            this.detached = detached;
            this.flags = flags;
            this.stateBefore = read(state);
            event.begin();
        }
    }

    /** Per primitive: contended acquisitions (waits begun), hand-offs, timeouts, interrupts. */
    private static final class Counters {
        final LongAdder contended = new LongAdder();
        final LongAdder handoffs = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        final LongAdder interrupts = new LongAdder();
        final LongAdder pinnedNanos = new LongAdder();
    }

    /** The flag sets a wait can have, by {@link #flags}'s bits. */
    private static final List<Set<String>> FLAG_SETS = flagSets();

    /**
     * Each thread's wait in progress, in a slot of its own: beginning and
     * ending a wait writes the thread's slot and nothing shared, so two
     * threads contending for one lock do not also contend here. The slots
     * are listed, weakly by thread, for the rare readers (snapshots, the
     * MBean, toString, afterFork).
     */
    private static final class Slot {
        /**
         * Written only by the slot's thread, with release semantics (a token's
         * fields are set before it is published, and no later access of the
         * writer needs ordering against it); read as a volatile by the others.
         */
        volatile Token current;

        void publish(Token token) {
            CURRENT.setRelease(this, token);
        }
    }

    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(Slot.class, "current", Token.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final ThreadLocal<Slot> SLOT = ThreadLocal.withInitial(Waits::newSlot);
    private static final Map<Thread, Slot> SLOTS = new WeakHashMap<>();
    private static final Map<String, Counters> COUNTERS = new ConcurrentHashMap<>();

    /** The virtual-thread scheduler's carriers: {@code jdk.virtualThreadScheduler.parallelism}, as the JDK reads it. */
    private static final int CARRIERS = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
            Runtime.getRuntime().availableProcessors());
    /** Virtual threads waiting in native code now, each pinning its carrier. */
    private static final AtomicInteger PINNED = new AtomicInteger();

    private Waits() {
    }

    /**
     * A wait begins on the state word at {@code address}, which
     * {@code state} reads.
     *
     * @param primitive the facade class's simple name
     * @param detached  whether the thread state is detached while it waits
     * @param flags     what else describes the wait (CPython's flag names, "timed")
     */
    public static Token begin(String primitive, long address, LongSupplier state, boolean detached, Set<String> flags) {
        Token token = beginInJava(primitive, address, state, detached, flags);
        if (token.thread.isVirtual()) {
            PINNED.incrementAndGet();
            token.pinnedSince = token.start;
        }
        return token;
    }

    /**
     * As {@link #begin}, for a wait that starts in Java: a virtual thread's
     * wait pins its carrier only between {@link #tryPin} and {@link #unpin}.
     */
    public static Token beginInJava(String primitive, long address, LongSupplier state, boolean detached,
                                    Set<String> flags) {
        Token token = new Token(primitive, address, state, detached, flags);
        Slot slot = SLOT.get();
        token.slot = slot;
        token.hidden = slot.current;
        slot.publish(token);
        counters(primitive).contended.increment();
        return token;
    }

    /**
     * A virtual thread's wait begun by {@link #beginInJava} goes to native
     * code, if that leaves at least one carrier without a native wait.
     *
     * @return whether it may (then {@link #unpin} follows the native wait)
     */
    public static boolean tryPin(Token token) {
        for (int pinned = PINNED.get(); pinned < CARRIERS - 1; pinned = PINNED.get()) {
            if (PINNED.compareAndSet(pinned, pinned + 1)) {
                token.pinnedSince = System.nanoTime();
                return true;
            }
        }
        return false;
    }

    /** A virtual thread's native wait has ended: its time counted as its carrier's pinned time. */
    public static void unpin(Token token) {
        if (token.pinnedSince != 0) {
            long pinned = System.nanoTime() - token.pinnedSince;
            token.pinnedNanos += pinned;
            counters(token.primitive).pinnedNanos.add(pinned);
            token.pinnedSince = 0;
            PINNED.decrementAndGet();
        }
    }

    /** The wait ends: counted, and reported to JFR if it lasted past the threshold. */
    public static void end(Token token, Outcome outcome) {
        if (token.cancelled) {
            return;
        }
        unregister(token);
        unpin(token);
        if (outcome == Outcome.TIMED_OUT) {
            counters(token.primitive).timeouts.increment();
        } else if (outcome == Outcome.INTERRUPTED) {
            counters(token.primitive).interrupts.increment();
        }
        WaitEvent event = token.event;
        event.end();
        if (event.shouldCommit()) {
            event.primitive = token.primitive;
            event.address = token.address;
            event.stateBefore = token.stateBefore;
            event.stateAfter = read(token.state);
            event.outcome = outcome.toString();
            event.detached = token.detached;
            event.virtualThread = token.thread.isVirtual();
            event.carrierPinned = token.pinnedNanos;
            event.commit();
        }
    }

    /** The wait turned out not to be one (the thread ran a once-flag's action itself): forgotten. */
    public static void cancel(Token token) {
        if (!token.cancelled) {
            token.cancelled = true;
            unregister(token);
            unpin(token);
        }
    }

    /** The thread's entry goes, showing the wait it hid, if any. */
    private static void unregister(Token token) {
        token.slot.publish(token.hidden);
    }

    private static Slot newSlot() {
        Slot slot = new Slot();
        synchronized (SLOTS) {
            SLOTS.put(Thread.currentThread(), slot);
        }
        return slot;
    }

    /** The waits in progress now, one per waiting thread (its innermost). */
    private static List<Token> inProgress() {
        List<Token> tokens = new ArrayList<>();
        synchronized (SLOTS) {
            for (Slot slot : SLOTS.values()) {
                Token token = slot.current;
                if (token != null) {
                    tokens.add(token);
                }
            }
        }
        return tokens;
    }

    /** An unlock of the {@code PyMutex} at {@code address} handed it to a waiter. */
    public static void handoff(long address, long stateAfter) {
        counters("PyMutex").handoffs.increment();
        HandoffEvent event = new HandoffEvent();
        if (event.shouldCommit()) {
            event.address = address;
            event.stateAfter = stateAfter;
            event.commit();
        }
    }

    /**
     * Whether any thread is inside a wait now (and so, possibly, in a
     * parking-lot bucket).
     *
     * @return true while a wait is in progress
     */
    public static boolean anyInProgress() {
        return !inProgress().isEmpty();
    }

    /** Every thread waiting now, with the others waiting on the same address. */
    public static List<Wait> snapshot() {
        List<Token> tokens = inProgress();
        long now = System.nanoTime();
        List<Wait> waits = new ArrayList<>(tokens.size());
        for (Token token : tokens) {
            List<Thread> others = new ArrayList<>();
            for (Token other : tokens) {
                if (other != token && other.address == token.address) {
                    others.add(other.thread);
                }
            }
            waits.add(new Wait(token.thread, token.primitive, token.address, read(token.state), token.flags,
                    Duration.ofNanos(now - token.start), List.copyOf(others)));
        }
        return waits;
    }

    /** {@code ", waiting: worker-2 (12 ms), ..."} for the threads waiting on {@code address}, or "". */
    public static String describeWaiters(long address) {
        List<Token> tokens = inProgress();
        if (tokens.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        long now = System.nanoTime();
        for (Token token : tokens) {
            if (token.address == address) {
                text.append(text.isEmpty() ? ", waiting: " : ", ").append(token.thread.getName())
                        .append(" (").append((now - token.start) / 1_000_000).append(" ms)");
            }
        }
        return text.toString();
    }

    /** Per primitive, in name order: {contended, handoffs, timeouts, interrupts, carrier-pinned nanoseconds}. */
    static Map<String, long[]> counts() {
        Map<String, long[]> counts = new TreeMap<>();
        COUNTERS.forEach((primitive, c) -> counts.put(primitive, new long[]{c.contended.sum(), c.handoffs.sum(),
                c.timeouts.sum(), c.interrupts.sum(), c.pinnedNanos.sum()}));
        return counts;
    }

    /** Virtual threads waiting in native code now (each pins its carrier). */
    static int pinnedCarriers() {
        return PINNED.get();
    }

    /** A state word, or -1 if its memory is gone (a caller's arena closed since). */
    private static long read(LongSupplier state) {
        try {
            return state.getAsLong();
        } catch (IllegalStateException closed) {
            return -1;
        }
    }

    /** The flags of a wait (a shared, unmodifiable set): {@code DETACH}, {@code HANDLE_SIGNALS}, {@code timed}. */
    public static Set<String> flags(boolean detach, boolean handleSignals, boolean timed) {
        return FLAG_SETS.get((detach ? 1 : 0) | (handleSignals ? 2 : 0) | (timed ? 4 : 0));
    }

    private static List<Set<String>> flagSets() {
        List<Set<String>> sets = new ArrayList<>();
        for (int bits = 0; bits < 8; bits++) {
            List<String> names = new ArrayList<>();
            if ((bits & 1) != 0) {
                names.add("DETACH");
            }
            if ((bits & 2) != 0) {
                names.add("HANDLE_SIGNALS");
            }
            if ((bits & 4) != 0) {
                names.add("timed");
            }
            sets.add(Set.copyOf(names));
        }
        return List.copyOf(sets);
    }

    private static Counters counters(String primitive) {
        return COUNTERS.computeIfAbsent(primitive, p -> new Counters());
    }
}
