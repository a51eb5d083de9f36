using LatentSpikes.Specs;

namespace LatentSpikes.Tests;

/// <summary>Paths of files the test project copies next to its binaries.</summary>
internal static class TestData
{
    public static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    public static LoadedSpec LoadExample(string name) => SpecReader.LoadFile(Example(name));
}
