using System.Reflection;

namespace DPoP.Http.Docs.Tests.Support;

/// <summary>The two packages' assemblies, as the test run loaded them.</summary>
internal static class PackageAssemblies
{
    /// <summary>DPoP.Http and DPoP.Http.AspNetCore.</summary>
    public static IReadOnlyList<Assembly> All { get; } =
    [
        typeof(DPoPKey).Assembly,
        typeof(DPoP.Http.AspNetCore.DPoPSessionExpiredException).Assembly,
    ];

    /// <summary>DPoP.Http.</summary>
    public static Assembly Core => All[0];

    /// <summary>Every type of <paramref name="assembly"/>, nested and compiler-generated ones included.</summary>
    public static IEnumerable<Type> TypesOf(Assembly assembly) => assembly.GetTypes();

    /// <summary>The XML doc file the build wrote beside <paramref name="assembly"/> (the one packed with it).</summary>
    public static string XmlDocFile(Assembly assembly) => Path.ChangeExtension(assembly.Location, ".xml");
}
