using Midrc.Curation.Dicom;

namespace Midrc.Curation.Tests.Dicom;

public sealed class GdcmRuntimeTests
{
    [Fact]
    public void EnsureAvailable_Succeeds_WhenDebianBindingIsInstalled()
    {
        Should.NotThrow(GdcmRuntime.EnsureAvailable);
        Should.NotThrow(GdcmRuntime.EnsureAvailable);
    }

    [Fact]
    public void ResolveGlue_ThrowsWithInstallAdvice_WhenTheGlueLibraryIsNowhere()
    {
        using var empty = new TemporaryDirectory();

        var error = Should.Throw<GdcmUnavailableException>(() => GdcmRuntime.ResolveGlue([empty]));

        error.Message.ShouldContain("libgdcmsharpglue.so");
        error.Message.ShouldContain(empty.Path);
        error.Message.ShouldContain("apt-get install libgdcm-cil, or run ./run.sh");
    }

    [Fact]
    public void ResolveGlue_LoadsTheGlue_FromDebiansBindingDirectory()
    {
        using var empty = new TemporaryDirectory();

        GdcmRuntime.ResolveGlue([empty, GdcmRuntime.DebianBindingDirectory]).ShouldNotBe(IntPtr.Zero);
    }
}
