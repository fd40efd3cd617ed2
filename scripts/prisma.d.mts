export declare const providers: readonly ['sqlite', 'postgresql'];
export declare function renderSchema(provider: 'sqlite' | 'postgresql'): string;
