package io.otpj.cluster;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which record and enum classes may cross nodes (see {@link TermCodec}): classes named one by
 * one, and packages whose records and enums are all allowed (the classes directly in the
 * package, and their nested classes; not its subpackages). Nothing is allowed by default. An
 * immutable value: the {@code allow...} methods return a new list.
 *
 * @param classNames the binary names of the allowed classes
 * @param packages the allowed packages, each as a prefix ending in a dot
 */
public record Allowlist(Set<String> classNames, List<String> packages) {

    /**
     * Copies the sets.
     *
     * @throws NullPointerException if an argument or an element is null
     * @throws IllegalArgumentException if a package entry does not end with a dot
     */
    public Allowlist {
        classNames = Set.copyOf(classNames);
        packages = List.copyOf(packages);
        for (String p : packages) {
            if (!p.endsWith(".") || p.length() < 2) {
                throw new IllegalArgumentException("package entry must be a package name followed by a dot: " + p);
            }
        }
    }

    /**
     * Returns the empty allowlist: only the built-in types cross nodes.
     *
     * @return the empty allowlist
     */
    public static Allowlist none() {
        return new Allowlist(Set.of(), List.of());
    }

    /**
     * Returns this allowlist with {@code types} added.
     *
     * @param types record or enum classes
     * @return a new allowlist
     * @throws IllegalArgumentException if a type is neither a record nor an enum
     */
    public Allowlist allow(Class<?>... types) {
        Set<String> names = new LinkedHashSet<>(classNames);
        for (Class<?> t : types) {
            Objects.requireNonNull(t, "type");
            if (!t.isRecord() && !t.isEnum()) {
                throw new IllegalArgumentException(t.getName() + " is neither a record nor an enum: only those cross nodes");
            }
            names.add(t.getName());
        }
        return new Allowlist(names, packages);
    }

    /**
     * Returns this allowlist with every record and enum of package {@code packageName} allowed.
     *
     * @param packageName a package name such as {@code com.example.messages}
     * @return a new allowlist
     * @throws IllegalArgumentException if {@code packageName} is blank or ends with a dot
     */
    public Allowlist allowPackage(String packageName) {
        Objects.requireNonNull(packageName, "packageName");
        if (packageName.isBlank() || packageName.endsWith(".")) {
            throw new IllegalArgumentException("not a package name: '" + packageName + "'");
        }
        List<String> ps = new ArrayList<>(packages);
        ps.add(packageName + ".");
        return new Allowlist(classNames, ps);
    }
}
