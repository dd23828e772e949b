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
        var empty = TestData.NewDirectory();

        var error = Should.Throw<GdcmUnavailableException>(() => GdcmRuntime.ResolveGlue([empty]));

        error.Message.ShouldContain("libgdcmsharpglue.so");
        error.Message.ShouldContain(empty);
        error.Message.ShouldContain("apt-get install libgdcm-cil, or run ./run.sh");
    }

    [Fact]
    public void ResolveGlue_LoadsTheGlue_FromDebiansBindingDirectory()
    {
        GdcmRuntime.ResolveGlue([TestData.NewDirectory(), GdcmRuntime.DebianBindingDirectory]).ShouldNotBe(IntPtr.Zero);
    }
}
