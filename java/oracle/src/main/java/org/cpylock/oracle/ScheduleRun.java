package org.cpylock.oracle;


import org.cpylock.api.Implementation;
import org.cpylock.api.PyMutex;

import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One side of a concurrent comparison: a {@link Schedule}'s threads on fresh
 * primitives of one implementation, moved one step at a time.
 *
 * <p>After a move the run settles: it polls, every {@value #POLL_MILLIS} ms,
 * until every thread has finished its operation or sleeps in the kernel
 * ({@link KernelThreads}; a virtual thread: is parked, and so is every
 * thread of cpylock's proxy pool, which makes a bound virtual thread's
 * native wait for it), and the state words
 * and the threads' progress have
 * stayed the same for {@value #STABLE_POLLS} polls in a row. A thread woken
 * by the move is runnable from the moment its waker returns, so it is waited
 * for; the stable polls keep a thread that sleeps only for a moment (at a
 * safepoint, say) from passing for parked. The observation is then what each
 * thread finished since the last one, which threads started a wait, and the
 * state words.
 */
final class ScheduleRun implements AutoCloseable {
    private static final int STABLE_POLLS = 5;
    private static final long POLL_MILLIS = 2;
    /** The platform threads that wait in C for virtual threads bound to an interpreter. */
    private static final NamedThreads PROXIES = new NamedThreads("cpylock-proxy");
    /** How long after a waiter first sleeps a delayed at-once move comes at the earliest: past 1 ms with room. */
    private static final long SURELY_FAIR_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * What a move did, or {@link #NOT_COMPARED}.
     *
     * @param outcome      what the threads did
     * @param state        the state words after it
     * @param inconclusive whether a race the schedule cannot rule out was lost (the outcome says why)
     */
    record Observation(String outcome, String state, boolean inconclusive) {
    }

    /** The observation of a move followed at once by another: the driver did not wait for it to settle. */
    static final Observation NOT_COMPARED = new Observation("not compared: the next move follows at once", "", false);

    private final String side;
    private final boolean virtual;
    private final Fixture fixture;
    private final Worker[] workers;
    private long previousStart;
    private long previousFirstSleep;

    /**
     * A run of {@code schedule} on fresh primitives of {@code implementation}.
     *
     * @param virtual whether the schedule's threads are virtual threads
     */
    ScheduleRun(Implementation implementation, Schedule schedule, String side, boolean virtual) {
        this.side = side;
        this.virtual = virtual;
        this.fixture = new Fixture(implementation, schedule.threads());
        this.workers = new Worker[schedule.threads()];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i, side, fixture, virtual);
        }
    }

    /**
     * Makes one move.
     *
     * @param move the move
     * @param next the move after it, or null
     * @return what it did, or {@link #NOT_COMPARED} if {@code next} follows it at once
     */
    Observation apply(Move move, Move next) {
        switch (move) {
            case Move.Pause pause -> sleep(pause.millis());
            case Move.Run run -> {
                Worker worker = workers[run.thread()];
                if (worker.busy) {
                    return new Observation("T" + run.thread() + " is still in its previous operation", fixture.state(),
                            false);
                }
                if (run.atOnce() && run.delayMillis() > 0) {
                    awaitNanoTime(Math.max(previousStart + TimeUnit.MILLISECONDS.toNanos(run.delayMillis()),
                            previousFirstSleep + SURELY_FAIR_NANOS));
                }
                long start = System.nanoTime();
                worker.start(run.action());
                if (next instanceof Move.Run following && following.atOnce()) {
                    previousFirstSleep = awaitFirstSleep(worker);
                    previousStart = worker.startedAt;
                    return NOT_COMPARED;
                }
                Observation observation = settle();
                long end = worker.busy ? worker.startedAt : worker.finishedAt;
                long window = Schedule.AT_ONCE.toNanos() + TimeUnit.MILLISECONDS.toNanos(run.delayMillis());
                if (run.atOnce() && end - previousStart >= window) {
                    observation = new Observation(run + " came " + (end - previousStart) / 1000 + " us after the move"
                            + " before it began", observation.state(), true);
                }
                previousStart = start;
                return observation;
            }
        }
        return settle();
    }

    /**
     * Whether every thread has finished its last operation.
     *
     * @return true if no thread is in an operation
     */
    boolean finished() {
        for (Worker worker : workers) {
            if (worker.busy) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits until the worker sleeps, and with virtual threads every proxy
     * too (the one making the worker's wait may not have reached it yet), or
     * the worker has finished; returns when that was seen.
     */
    private long awaitFirstSleep(Worker worker) {
        long deadline = System.nanoTime() + Oracle.TIME_LIMIT.toNanos();
        while (worker.busy && !(worker.sleeping() && (!virtual || PROXIES.allSleeping()))
                && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(20_000);
        }
        return System.nanoTime();
    }

    private static void awaitNanoTime(long time) {
        for (long left = time - System.nanoTime(); left > 0; left = time - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private Observation settle() {
        long deadline = System.nanoTime() + Oracle.TIME_LIMIT.toNanos();
        String last = null;
        int stable = 0;
        while (stable < STABLE_POLLS) {
            if (System.nanoTime() - deadline > 0) {
                return new Observation("did not settle within " + Oracle.TIME_LIMIT.toSeconds() + " s: "
                        + progress(false), fixture.state(), false);
            }
            String snapshot = quiet() ? progress(false) + " | " + fixture.state() : null;
            stable = snapshot != null && snapshot.equals(last) ? stable + 1 : 0;
            last = snapshot;
            sleep(POLL_MILLIS);
        }
        boolean inconclusive = false;
        for (Worker worker : workers) {
            inconclusive |= !worker.reported && !worker.busy && worker.raceLost;
        }
        String state = fixture.state();
        return new Observation(progress(true), state, inconclusive);
    }

    /** Whether every thread in an operation sleeps, and, for virtual threads, every proxy. */
    private boolean quiet() {
        if (virtual && !PROXIES.allSleeping()) {
            return false;
        }
        for (Worker worker : workers) {
            if (worker.busy && !worker.sleeping()) {
                return false;
            }
        }
        return true;
    }

    /**
     * What the threads did since the last observation: each that finished an
     * operation, with its outcome, and each that began one and waits.
     */
    private String progress(boolean report) {
        StringJoiner joiner = new StringJoiner("; ");
        for (Worker worker : workers) {
            if (!worker.reported) {
                boolean busy = worker.busy;
                joiner.add("T" + worker.index + (busy ? " waits" : ": " + worker.outcome));
                if (report && !busy) {
                    worker.reported = true;
                }
            }
        }
        return joiner.toString();
    }

    /** Ends the threads; one still in an operation is interrupted and left to end (they are daemons). */
    @Override
    public void close() {
        for (Worker worker : workers) {
            worker.thread.interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running a schedule", e);
        }
    }

    /** One thread of the schedule: runs the operations it is given, one at a time. */
    private static final class Worker {
        final int index;
        final Thread thread;
        /** The kernel's id of a platform thread; 0 for a virtual thread. */
        final int id;
        private final BlockingQueue<Move.Action> inbox = new LinkedBlockingQueue<>();
        private final Fixture fixture;
        volatile boolean busy;
        volatile boolean reported = true;
        volatile String outcome;
        volatile boolean raceLost;
        volatile long startedAt;
        volatile long finishedAt;

        Worker(int index, String side, Fixture fixture, boolean virtual) {
            this.index = index;
            this.fixture = fixture;
            int[] kernelId = new int[1];
            CountDownLatch started = new CountDownLatch(1);
            Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
            this.thread = builder.name("oracle-" + side + "-T" + index).start(() -> {
                kernelId[0] = virtual ? 0 : KernelThreads.currentId();
                warmUp(fixture);
                started.countDown();
                loop();
            });
            try {
                started.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting " + thread.getName(), e);
            }
            this.id = kernelId[0];
        }

        /**
         * Takes the slow path of a mutex once (a zero-timeout lock of a taken
         * one), so that what a thread sets up on its first wait is done before
         * the schedule's moves are timed.
         */
        private static void warmUp(Fixture fixture) {
            PyMutex scratch = fixture.implementation().newMutex();
            scratch.lock();
            scratch.lockTimed(Duration.ZERO);
            scratch.unlock();
        }

        /**
         * Whether the thread sleeps: a platform thread in the kernel, whether
         * it parks in C or in Java; a virtual thread parked (a virtual thread
         * never waits in C).
         */
        boolean sleeping() {
            if (thread.isVirtual()) {
                Thread.State state = thread.getState();
                return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
            }
            return KernelThreads.sleeping(id);
        }

        void start(Move.Action action) {
            busy = true;
            reported = false;
            inbox.add(action);
        }

        private void loop() {
            for (;;) {
                Move.Action action;
                try {
                    action = inbox.take();
                } catch (InterruptedException closed) {
                    return;
                }
                startedAt = System.nanoTime();
                String result;
                boolean lost = false;
                try {
                    result = action.run(fixture, index);
                } catch (Move.RaceLost e) {
                    result = "lost a race: " + e.getMessage();
                    lost = true;
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable t) {
                    result = "threw " + t.getClass().getSimpleName();
                }
                finishedAt = System.nanoTime();
                outcome = result;
                raceLost = lost;
                busy = false;
            }
        }
    }
}
