package dev.chorus.loadtest;

/**
 * The server's resources at one moment of a soak. Figures the server did not give are -1 (counts) or NaN.
 *
 * @param t             seconds since the soak started
 * @param afterGc       whether a full GC ran just before (heapMib is then the heap after GC)
 * @param heapMib       JVM heap in use ({@code jvm_memory_used_bytes{area="heap"}})
 * @param rssMib        resident set size (/proc/PID/status VmRSS)
 * @param javaThreads   live Java threads ({@code jvm_threads_live_threads})
 * @param osThreads     the process's threads, JVM-internal ones included (/proc/PID/status Threads)
 * @param fds           open file descriptors (/proc/PID/fd)
 * @param buffersInUse  pooled packet buffers handed out ({@code chorus_media_buffers_in_use})
 * @param transports    open ICE/DTLS/SRTP transports
 * @param mediaSessions the SFU's media sessions
 * @param mediaRooms    the SFU's rooms (routers)
 * @param rooms         signaling rooms
 * @param participants  joined participants (those waiting for a resume included)
 * @param connections   open signaling WebSockets
 * @param producers     streams published to the SFU
 * @param consumers     streams forwarded by the SFU
 * @param liveResumeTokens resume tokens that may still resume (/debug signaling.resume.liveTokens)
 * @param detached      participants waiting for a resume now (/debug signaling.resume.detached)
 * @param serverResumes resumes the server counted since it started (/debug signaling.resume.resumes)
 */
record SoakReading(
        double t,
        boolean afterGc,
        double heapMib,
        double rssMib,
        long javaThreads,
        long osThreads,
        long fds,
        long buffersInUse,
        long transports,
        long mediaSessions,
        long mediaRooms,
        long rooms,
        long participants,
        long connections,
        long producers,
        long consumers,
        long liveResumeTokens,
        long detached,
        long serverResumes) {

    /** Whether nothing is left of any participant: the counts an empty server has. */
    boolean empty() {
        return buffersInUse == 0
                && transports == 0
                && mediaSessions == 0
                && mediaRooms == 0
                && rooms == 0
                && participants == 0
                && connections == 0
                && producers == 0
                && consumers == 0
                && liveResumeTokens <= 0
                && detached <= 0;
    }
}
