using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Midrc.Orchestrator.Pages.Shared;

/// <summary>
/// The one-line outcome of a form, shown by the layout on the page the form redirects to (post, redirect, get), so a
/// reload never posts twice.
/// </summary>
public static class Notices
{
    private const string TextKey = "Notice";
    private const string ErrorKey = "NoticeIsError";

    /// <summary>Says <paramref name="text"/> on the next page; <paramref name="isError"/> shows it as a problem.</summary>
    public static void Tell(this ITempDataDictionary tempData, string text, bool isError = false)
    {
        tempData[TextKey] = text;
        tempData[ErrorKey] = isError;
    }

    /// <summary>
    /// The notice to show, if any; reading it removes it. Temp data is only opened when the request carries it, since
    /// opening it empty answers with a cookie deletion on every page.
    /// </summary>
    public static (string Text, bool IsError)? Take(this ITempDataDictionary tempData, HttpRequest request) =>
        request.Cookies.ContainsKey(CookieTempDataProvider.CookieName) && tempData[TextKey] is string text ? (text, tempData[ErrorKey] is true) : null;
}
