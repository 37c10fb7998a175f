package org.cpylock.internal.waits;

import org.cpylock.Wait;
import org.cpylock.Wait.Flag;
import org.cpylock.Wait.Primitive;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
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
 * <p>It also counts, per primitive, the time virtual threads' waits spent
 * in native calls, each of which holds the carrier for its length: the short
 * calls that queue and unqueue such a thread in the parking lot
 * ({@link #addPinned}); the waits themselves are made in Java.
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
        final Primitive primitive;
        final long address;
        final LongSupplier state;
        final Set<Flag> flags;
        final boolean detached;
        final long start = System.nanoTime();
        final long stateBefore;
        final WaitEvent event = new WaitEvent();
        Slot slot;
        Token hidden;
        boolean cancelled;
        /** The time this wait's native calls pinned a virtual thread's carrier, so far. */
        long pinnedNanos;

        private Token(Primitive primitive, long address, LongSupplier state, boolean detached, Set<Flag> flags) {
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

    /** The flag sets {@link #flags} returns, by its arguments' bits. */
    private static final List<Set<Flag>> FLAG_SETS = flagSets();

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
    private static final Map<Primitive, Counters> COUNTERS = counters();

    private Waits() {
    }

    /**
     * A wait begins on the state word at {@code address}, which
     * {@code state} reads.
     *
     * @param primitive what the thread waits on
     * @param detached  whether the thread state is detached while it waits
     * @param flags     what else describes the wait ({@link #flags}, {@link #flagSet})
     */
    public static Token begin(Primitive primitive, long address, LongSupplier state, boolean detached,
                              Set<Flag> flags) {
        Token token = new Token(primitive, address, state, detached, flags);
        Slot slot = SLOT.get();
        token.slot = slot;
        token.hidden = slot.current;
        slot.publish(token);
        COUNTERS.get(primitive).contended.increment();
        return token;
    }

    /**
     * The calling virtual thread's wait spent {@code nanos} in a native call,
     * holding its carrier: counted for its primitive and its JFR event.
     */
    public static void addPinned(long nanos) {
        Token token = SLOT.get().current;
        if (token != null) {
            token.pinnedNanos += nanos;
            COUNTERS.get(token.primitive).pinnedNanos.add(nanos);
        }
    }

    /** The wait ends: counted, and reported to JFR if it lasted past the threshold. */
    public static void end(Token token, Outcome outcome) {
        if (token.cancelled) {
            return;
        }
        unregister(token);
        if (outcome == Outcome.TIMED_OUT) {
            COUNTERS.get(token.primitive).timeouts.increment();
        } else if (outcome == Outcome.INTERRUPTED) {
            COUNTERS.get(token.primitive).interrupts.increment();
        }
        WaitEvent event = token.event;
        event.end();
        if (event.shouldCommit()) {
            event.primitive = token.primitive.toString();
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
        COUNTERS.get(Primitive.PY_MUTEX).handoffs.increment();
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
        Map<Long, List<Thread>> byAddress = new HashMap<>();
        for (Token token : tokens) {
            byAddress.computeIfAbsent(token.address, a -> new ArrayList<>()).add(token.thread);
        }
        long now = System.nanoTime();
        List<Wait> waits = new ArrayList<>(tokens.size());
        for (Token token : tokens) {
            List<Thread> sharing = byAddress.get(token.address);
            List<Thread> others = sharing.size() == 1 ? List.of()
                    : sharing.stream().filter(thread -> thread != token.thread).toList();
            waits.add(new Wait(token.thread, token.primitive, token.address, read(token.state), token.flags,
                    Duration.ofNanos(now - token.start), others));
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

    /**
     * Per primitive that any wait or hand-off has counted, in declaration
     * order: {contended, handoffs, timeouts, interrupts, carrier-pinned
     * nanoseconds}.
     */
    static Map<Primitive, long[]> counts() {
        Map<Primitive, long[]> counts = new EnumMap<>(Primitive.class);
        COUNTERS.forEach((primitive, c) -> {
            long[] row = {c.contended.sum(), c.handoffs.sum(), c.timeouts.sum(), c.interrupts.sum(),
                    c.pinnedNanos.sum()};
            if (row[0] != 0 || row[1] != 0 || row[4] != 0) {
                counts.put(primitive, row);
            }
        });
        return counts;
    }

    /** A state word, or -1 if its memory is gone (a caller's arena closed since). */
    private static long read(LongSupplier state) {
        try {
            return state.getAsLong();
        } catch (IllegalStateException closed) {
            return -1;
        }
    }

    /** The flags of a wait (a shared, unmodifiable set): {@code DETACH}, {@code HANDLE_SIGNALS}, {@code TIMED}. */
    public static Set<Flag> flags(boolean detach, boolean handleSignals, boolean timed) {
        return FLAG_SETS.get((detach ? 1 : 0) | (handleSignals ? 2 : 0) | (timed ? 4 : 0));
    }

    /** An unmodifiable set of {@code flags}, iterated in declaration order. */
    public static Set<Flag> flagSet(Flag... flags) {
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        Collections.addAll(set, flags);
        return Collections.unmodifiableSet(set);
    }

    private static List<Set<Flag>> flagSets() {
        List<Set<Flag>> sets = new ArrayList<>();
        for (int bits = 0; bits < 8; bits++) {
            EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
            if ((bits & 1) != 0) {
                set.add(Flag.DETACH);
            }
            if ((bits & 2) != 0) {
                set.add(Flag.HANDLE_SIGNALS);
            }
            if ((bits & 4) != 0) {
                set.add(Flag.TIMED);
            }
            sets.add(Collections.unmodifiableSet(set));
        }
        return List.copyOf(sets);
    }

    private static Map<Primitive, Counters> counters() {
        Map<Primitive, Counters> counters = new EnumMap<>(Primitive.class);
        for (Primitive primitive : Primitive.values()) {
            counters.put(primitive, new Counters());
        }
        return Collections.unmodifiableMap(counters);
    }
}
