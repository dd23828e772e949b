using Midrc.Workflows.Timing;

namespace Midrc.Workflows.Tests;

public sealed class DueTimesTests
{
    private static readonly TimeZoneInfo Chicago = DueTimes.FindTimeZone("America/Chicago");

    private static DateTimeOffset ChicagoTime(int year, int month, int day, int hour, int minute = 0) =>
        new(new DateTime(year, month, day, hour, minute, 0), Chicago.GetUtcOffset(new DateTime(year, month, day, hour, minute, 0)));

    [Fact]
    public void Add_SkipsTheWeekend_WhenCountingBusinessDays()
    {
        var thursday = ChicagoTime(2026, 11, 26, 9);

        var due = DueTimes.Add(thursday, IsoDuration.Parse("P2D"), Chicago, businessDays: true);

        due.ShouldBe(ChicagoTime(2026, 11, 30, 9));
        due.DayOfWeek.ShouldBe(DayOfWeek.Monday);
    }

    [Fact]
    public void Add_KeepsTheLocalTimeOfDay_WhenBusinessDaysCrossTheSpringForwardChange()
    {
        var friday = ChicagoTime(2026, 3, 6, 10);

        var due = DueTimes.Add(friday, IsoDuration.Parse("P5D"), Chicago, businessDays: true);

        due.ShouldBe(new DateTimeOffset(2026, 3, 13, 10, 0, 0, TimeSpan.FromHours(-5)));
        (due - friday).ShouldBe(TimeSpan.FromDays(7) - TimeSpan.FromHours(1));
    }

    [Fact]
    public void Add_CountsADayAs25Hours_WhenClocksFallBack()
    {
        var saturday = ChicagoTime(2026, 10, 31, 12);

        var due = DueTimes.Add(saturday, IsoDuration.Parse("P1D"), Chicago);

        due.ShouldBe(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.FromHours(-6)));
        (due - saturday).ShouldBe(TimeSpan.FromHours(25));
    }

    [Fact]
    public void Add_TreatsHoursAsElapsedTime_AcrossTheChange()
    {
        var evening = ChicagoTime(2026, 3, 7, 20);

        var due = DueTimes.Add(evening, IsoDuration.Parse("PT12H"), Chicago);

        due.ShouldBe(new DateTimeOffset(2026, 3, 8, 9, 0, 0, TimeSpan.FromHours(-5)));
    }

    [Fact]
    public void Add_MovesATimeInTheSpringForwardGapToAfterIt()
    {
        var night = ChicagoTime(2026, 3, 7, 2, 30);

        var due = DueTimes.Add(night, IsoDuration.Parse("P1D"), Chicago);

        due.ShouldBe(new DateTimeOffset(2026, 3, 8, 3, 30, 0, TimeSpan.FromHours(-5)));
    }

    [Fact]
    public void Subtract_GoesBackToFriday_FromMondayByOneBusinessDay()
    {
        var monday = ChicagoTime(2026, 11, 30, 9);

        DueTimes.Subtract(monday, IsoDuration.Parse("P1D"), Chicago, businessDays: true).ShouldBe(ChicagoTime(2026, 11, 27, 9));
    }

    [Fact]
    public void Add_RefusesMonthsInBusinessDays()
    {
        Should.Throw<ArgumentException>(() => DueTimes.Add(ChicagoTime(2026, 1, 5, 9), IsoDuration.Parse("P1M"), Chicago, businessDays: true));
    }

    [Theory]
    [InlineData("P7D", 0, 0, 0, 7, 0)]
    [InlineData("P2W", 0, 0, 2, 0, 0)]
    [InlineData("P1Y2M", 1, 2, 0, 0, 0)]
    [InlineData("PT12H", 0, 0, 0, 0, 12)]
    [InlineData("P1DT6H", 0, 0, 0, 1, 6)]
    public void TryParse_ReadsIsoDurations(string text, int years, int months, int weeks, int days, int hours)
    {
        IsoDuration.TryParse(text, out var duration).ShouldBeTrue();

        (duration.Years, duration.Months, duration.Weeks, duration.Days, duration.Hours).ShouldBe((years, months, weeks, days, hours));
        duration.Text.ShouldBe(text);
    }

    [Theory]
    [InlineData("7 days")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P1DT")]
    [InlineData("p7d")]
    [InlineData("")]
    public void TryParse_RejectsAnythingElse(string text)
    {
        IsoDuration.TryParse(text, out _).ShouldBeFalse();
    }

    [Fact]
    public void NextOccurrence_ReadsCronInTheGivenTimeZone()
    {
        var next = DueTimes.NextOccurrence("0 14 * * TUE#3", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), Chicago);

        next.ShouldBe(new DateTimeOffset(2026, 11, 17, 14, 0, 0, TimeSpan.FromHours(-6)));
        DueTimes.IsValidCron("0 14 * * TUE#3").ShouldBeTrue();
        DueTimes.IsValidCron("0 14 * *").ShouldBeFalse();
    }
}
