export declare const CUT_PARSER: readonly string[];
export declare const ENUMS: readonly string[];
export declare function derivedLine(version: string): string;
export declare function cutFrom(head: string): string | undefined;
export declare function useCut(head: string, installed: string | undefined): boolean;
