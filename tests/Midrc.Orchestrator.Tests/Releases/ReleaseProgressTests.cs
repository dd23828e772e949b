using Midrc.Orchestrator.Releases;

namespace Midrc.Orchestrator.Tests.Releases;

/// <summary>The build steps the release page lists, as a release moves from freeze to publication.</summary>
public sealed class ReleaseProgressTests
{
    [Theory]
    [InlineData(ReleaseState.Frozen, ReleaseBuildStep.None, "current waiting waiting waiting waiting")]
    [InlineData(ReleaseState.Frozen, ReleaseBuildStep.Collected, "done current waiting waiting waiting")]
    [InlineData(ReleaseState.Verifying, ReleaseBuildStep.Staged, "done done current waiting waiting")]
    [InlineData(ReleaseState.Verified, ReleaseBuildStep.Verified, "done done done current waiting")]
    [InlineData(ReleaseState.Publishing, ReleaseBuildStep.Verified, "done done done done current")]
    [InlineData(ReleaseState.Failed, ReleaseBuildStep.Staged, "done done failed waiting waiting")]
    public void Each_step_is_done_under_way_failed_or_to_come(ReleaseState state, ReleaseBuildStep step, string expected)
    {
        var progress = ReleaseDesk.Progress(new Release { State = state, BuildStep = step, Title = "Release 2" }, requireApproval: true);

        string.Join(' ', progress.Select(p => p.Status.ToString().ToLowerInvariant())).ShouldBe(expected);
    }

    [Fact]
    public void Without_approval_the_verified_release_goes_straight_to_publication()
    {
        var progress = ReleaseDesk.Progress(new Release { State = ReleaseState.Verified, BuildStep = ReleaseBuildStep.Verified, Title = "Release 2" }, requireApproval: false);

        progress.Select(p => p.Step).ShouldNotContain("Approval by a program manager");
        progress[^1].Status.ShouldBe(BuildStepStatus.Current);
    }

    [Theory]
    [InlineData(ReleaseState.Open)]
    [InlineData(ReleaseState.Held)]
    [InlineData(ReleaseState.Published)]
    public void Nothing_is_listed_while_a_release_collects_or_once_it_is_published(ReleaseState state) =>
        ReleaseDesk.Progress(new Release { State = state, Title = "Release 2" }, requireApproval: true).ShouldBeEmpty();
}
