using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>The routes a host maps, read from its endpoints, so that tests walking them cover a new route as soon as it is mapped.</summary>
public static partial class MappedEndpoints
{
    /// <summary>Every route of <paramref name="services"/>' host with each of its methods (GET when it names none), parameters filled by <paramref name="valueOf"/>.</summary>
    public static IEnumerable<(string Method, string Path)> All(IServiceProvider services, Func<string, string> valueOf) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Get]).Select(method => (method, Fill(e, valueOf))))
            .Distinct();

    /// <summary>The endpoint's route as a path starting with '/', each parameter replaced by <paramref name="valueOf"/> its name.</summary>
    public static string Fill(RouteEndpoint endpoint, Func<string, string> valueOf) =>
        Parameter().Replace("/" + endpoint.RoutePattern.RawText!.TrimStart('/'), m => valueOf(m.Groups[1].Value));

    /// <summary>A route parameter such as <c>{code}</c>, <c>{id:guid}</c> or <c>{**path}</c>; group 1 is its name.</summary>
    [GeneratedRegex(@"\{\**([A-Za-z]+)[^}]*\}")]
    private static partial Regex Parameter();
}
