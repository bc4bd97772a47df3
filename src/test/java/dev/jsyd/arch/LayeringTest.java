package dev.jsyd.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/** The layering of docs/ARCHITECTURE: only sys touches FFM; policy and bpf stay pure. */
class LayeringTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.jsyd");

    @Test
    void onlySysUsesForeignFunctions() {
        noClasses().that().resideOutsideOfPackage("dev.jsyd.sys..")
                .should().dependOnClassesThat().resideInAPackage("java.lang.foreign..")
                .check(CLASSES);
    }

    @Test
    void policyIsPureJava() {
        noClasses().that().resideInAPackage("dev.jsyd.policy..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jsyd.sys..", "dev.jsyd.kernel..",
                        "dev.jsyd.supervisor..", "dev.jsyd.cli..", "dev.jsyd.bpf..")
                .check(CLASSES);
    }

    @Test
    void bpfDependsOnlyOnAbi() {
        noClasses().that().resideInAPackage("dev.jsyd.bpf..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jsyd.sys..", "dev.jsyd.kernel..",
                        "dev.jsyd.supervisor..", "dev.jsyd.policy..", "dev.jsyd.cli..")
                .check(CLASSES);
    }

    @Test
    void kernelDoesNotReachUpIntoTheSupervisorOrCli() {
        noClasses().that().resideInAPackage("dev.jsyd.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jsyd.supervisor..", "dev.jsyd.cli..")
                .check(CLASSES);
    }
}
