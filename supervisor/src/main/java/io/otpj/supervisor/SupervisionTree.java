package io.otpj.supervisor;

import io.otpj.core.Pid;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A supervision tree as {@link Supervisor#tree} walked it: a supervisor, its children in its own
 * order, and under each running child supervisor its subtree. Each level is one
 * {@code which_children} answer, taken at its own instant: a snapshot for operators (a listing,
 * a dashboard), not a consistent cut of the whole tree.
 *
 * @param supervisor the supervisor this level describes
 * @param children its children, in the order {@link Supervisor#whichChildren} gives; unmodifiable
 */
public record SupervisionTree(Pid supervisor, List<Branch> children) {

    /**
     * Checks the components and copies the list.
     *
     * @throws NullPointerException naming the first null component or element
     */
    public SupervisionTree {
        Objects.requireNonNull(supervisor, "supervisor");
        children = List.copyOf(Objects.requireNonNull(children, "children"));
    }

    /**
     * One child and, if it is a running supervisor that answered, its own tree.
     *
     * @param child the child as its supervisor reports it
     * @param subtree the child's tree when it is a {@link ChildType#SUPERVISOR} that was running and
     *     answered within the walk's timeout; empty for a worker, for a child that is not running,
     *     and for a child supervisor that died, timed out or is not an otpj supervisor (then
     *     {@link #unreachable} says why)
     * @param unreachable for a running child supervisor whose children could not be read, why
     *     (the exception's class and message); empty otherwise
     */
    public record Branch(ChildInfo child, Optional<SupervisionTree> subtree, Optional<String> unreachable) {
        /**
         * Checks that no component is null.
         *
         * @throws NullPointerException naming the first null component
         */
        public Branch {
            Objects.requireNonNull(child, "child");
            Objects.requireNonNull(subtree, "subtree");
            Objects.requireNonNull(unreachable, "unreachable");
        }
    }

    /**
     * Visits every child of this tree and of its subtrees, depth first, each supervisor's children
     * in its order, a child before its own subtree.
     *
     * @param visitor called once per child; its exceptions propagate and end the walk
     * @throws NullPointerException if {@code visitor} is null
     */
    public void forEachChild(Consumer<? super Branch> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        for (Branch b : children) {
            visitor.accept(b);
            b.subtree().ifPresent(t -> t.forEachChild(visitor));
        }
    }

    /**
     * The number of children at every level.
     *
     * @return the count of {@link #forEachChild}'s visits
     */
    public int size() {
        int[] n = {0};
        forEachChild(b -> n[0]++);
        return n[0];
    }
}
