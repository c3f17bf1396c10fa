using System.Text.RegularExpressions;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>Reads what oidc-provider and the resource server logged since a mark (tests/interop/as.mjs, rs.mjs).</summary>
internal static class ProviderLog
{
    /// <summary>The refresh grants oidc-provider granted the web client since <paramref name="mark"/> ("grant.success interop-web refresh_token").</summary>
    public static int RefreshGrants(int mark) => Count(mark, $"grant.success {InteropServers.AuthorizationServer.WebClient.Id} refresh_token");

    /// <summary>Lines since <paramref name="mark"/> containing <paramref name="text"/>, once the servers have gone quiet.</summary>
    public static int Count(int mark, string text)
    {
        InteropServers.Log.WaitUntilQuiet(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
        return Regex.Count(InteropServers.Log.Since(mark), Regex.Escape(text));
    }

    /// <summary>API requests (GET /orders) the resource server logged since <paramref name="mark"/>.</summary>
    public static int ApiRequests(int mark) => Count(mark, "rs!: [rs] GET /orders");
}
