package io.otpj.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The smallest honest {@link NameRegistry}, for core's own tests of {@link Name.Via}: unique
 * keys, released by an exit hook so the key is free before links and monitors fire.
 */
final class MapRegistry implements NameRegistry {

    private final ConcurrentHashMap<Object, Pid> keys = new ConcurrentHashMap<>();

    @Override
    public Pid registerName(Object key, Pid pid) {
        for (;;) {
            Pid prev = keys.putIfAbsent(key, pid);
            if (prev == null) {
                break;
            }
            if (prev == pid) {
                return null;
            }
            if (prev.isAlive()) {
                return prev;
            }
            if (keys.replace(key, prev, pid)) {
                break;
            }
        }
        if (!Proc.onExit(pid, () -> keys.remove(key, pid))) {
            keys.remove(key, pid);
        }
        return null;
    }

    @Override
    public void unregisterName(Object key) {
        keys.remove(key);
    }

    @Override
    public Pid whereisName(Object key) {
        Pid p = keys.get(key);
        return p != null && p.isAlive() ? p : null;
    }

    @Override
    public String toString() {
        return "MapRegistry";
    }
}
