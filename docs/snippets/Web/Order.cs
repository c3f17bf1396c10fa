namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>What the orders API returns.</summary>
public sealed record Order(string Id, decimal Total);
